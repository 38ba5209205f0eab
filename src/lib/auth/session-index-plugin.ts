// better-auth plugin, one concern: keep the session index in step with the session table.
//  - create.before: prefix the token with the user's hash tag (see session-index/keys.ts),
//    so the proxy can find the user's Redis slot from the cookie alone.
//  - create.after: index the session and enforce the concurrent-session limit.
//  - delete.after: every delete path, bulk ones included (better-auth 1.7 runs delete
//    hooks per row for deleteSession, deleteSessions, deleteUserSessions and deleteUser).
import type { BetterAuthPlugin } from "better-auth";
import { countSignIn } from "@/lib/metrics";
import { userTag } from "@/lib/session-index";
import { sessionStarted, sessionsEnded } from "@/lib/sessions/ended";
import { indexNewSession, unindexSessionRow, type EndedRow, type SessionRow } from "@/lib/sessions/lifecycle";
import { recordSecurityEvent, supportDetail } from "@/lib/security/events";
import { endReasonOf } from "./end-reasons";
import { withDatabaseHooks } from "./database-hooks";

/**
 * Endpoints that re-issue the acting session (a new row, then the old one deleted): a
 * password change, and turning two-factor on (verify-totp with a session) or off. Not a
 * sign-in; the same browser carries on under the new session.
 */
const REISSUE_PATHS = new Set(["/change-password", "/two-factor/verify-totp", "/two-factor/disable"]);

function actingSessionOf(ctx: unknown): { id?: string; userAgent?: string | null } | undefined {
  return (ctx as { context?: { session?: { session?: { id?: string; userAgent?: string | null } } } } | null | undefined)?.context?.session?.session;
}

function isReissue(ctx: { path?: string } | null | undefined): boolean {
  return !!ctx?.path && REISSUE_PATHS.has(ctx.path) && !!actingSessionOf(ctx)?.id;
}

export const sessionIndexPlugin = () =>
  ({
    id: "session-index",
    init: withDatabaseHooks({
      session: {
        create: {
          before: async (session) => ({ data: { ...session, token: userTag(session.userId) + session.token } }),
          after: async (session, ctx) => {
            const { evicted } = await indexNewSession(session as SessionRow);
            sessionsEnded(session.userId, "limit", evicted);
            // A re-issue of the current session is not a sign-in.
            if (!isReissue(ctx)) {
              countSignIn();
              recordSignIn(session as SessionRow & { location?: string | null; signInMethod?: string | null });
            }
            sessionStarted(session.userId);
          },
        },
        delete: {
          after: async (session, ctx) => {
            await unindexSessionRow(session);
            // A password change deletes the changer's own session too and signs the same
            // browser in again: its tabs must not read that as being signed out.
            const acting = actingSessionOf(ctx);
            const current = acting?.id;
            const reissued = isReissue(ctx) ? current : undefined;
            // For the history: the deleted row carries its device and place; `by` is the
            // acting session ("from Chrome on macOS"). /sign-out reads the cookie itself
            // (no ctx session): there the deleted session is the one acting.
            const by =
              ctx?.path === "/sign-out"
                ? { sessionId: session.id }
                : acting?.id
                  ? { sessionId: acting.id, userAgent: acting.userAgent ?? null }
                  : undefined;
            sessionsEnded(session.userId, endReasonOf(ctx?.path), [session as EndedRow], reissued, by);
          },
        },
      },
    }),
  }) satisfies BetterAuthPlugin;

/** "Signed in from Chrome on macOS · 203.0.113.9 · Cape Town": the Recent activity row. */
function recordSignIn(session: SessionRow & { location?: string | null; signInMethod?: string | null; impersonatedBy?: string | null }): void {
  // A support session: "Support (Ada) signed in as you" (the admin's name, read after the answer).
  const by = session.impersonatedBy;
  if (by) {
    recordSecurityEvent({ userId: session.userId, type: "impersonation-started", at: new Date(session.createdAt), sessionId: session.id, detail: () => supportDetail(by) });
    return;
  }
  recordSecurityEvent({
    userId: session.userId,
    type: "sign-in",
    at: new Date(session.createdAt),
    sessionId: session.id,
    userAgent: session.userAgent ?? null,
    ipAddress: session.ipAddress,
    location: session.location,
    detail: session.signInMethod ? { method: session.signInMethod } : undefined,
  });
}
