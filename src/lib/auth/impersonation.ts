// Support access ("impersonation"): an administrator views the app as a user. The session is
// made by better-auth's admin plugin (`/admin/impersonate-user`, `/admin/stop-impersonating`),
// so every session hook runs (sign-in method "impersonation", the index, the concurrent-session
// limit); this plugin holds the app's rules around those two endpoints:
//  - start: the admin's role re-read from Postgres, a fresh sign-in (front-door.ts,
//    FRESH_SIGN_IN_PATHS), the second factor when the admin has one, never an admin, oneself
//    or a suspended account; audited;
//  - while it lasts: what a support session may not do (IMPERSONATION_RESTRICTED), answered
//    403 before better-auth runs, whatever the client sends;
//  - stop: only back to the admin's own session while that session is still live (the index
//    check, not only the row better-auth reads); also after the user ended the support
//    session from their panel (the admin's tab returns to its own session); audited;
//  - sign-out while impersonating ends the admin's own session too (the browser is left).
// Where this goes around the library, and why: docs/admin-console.md, "Impersonation".
import type { BetterAuthPlugin } from "better-auth";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { expireCookie, setSessionCookie } from "better-auth/cookies";
import { and, desc, eq, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { adminAudit, session as sessionTable, user as userTable } from "@/db/schema";
import { recordAdminAction, type AdminActor } from "@/lib/admin/audit";
import { roleCan } from "@/lib/admin/roles";
import { clientAddress } from "@/lib/client-address";
import { isSameOrigin } from "@/lib/http/same-origin";
import { hashToken } from "@/lib/session-index";
import { authCookieNames, readSessionCookie, secureCookies, verifySessionCookie } from "@/lib/sessions/cookie";
import { sessionsEnded } from "@/lib/sessions/ended";
import { IMPERSONATION_RESTRICTED_MESSAGE } from "@/lib/sessions/impersonation";
import { endSessions } from "@/lib/sessions/lifecycle";
import { checkSessionToken } from "@/lib/sessions/validate";
import { SECOND_FACTOR_METHODS } from "@/lib/sign-in-context";

export const START_PATH = "/admin/impersonate-user";
export const STOP_PATH = "/admin/stop-impersonating";

/**
 * What a support session may not do (better-auth's paths; a prefix ends with "/"): the
 * password, the email, the ways in (factors, passkeys, linked accounts), the account itself,
 * letting another device in, and another support session. Sessions are the app's own routes
 * (lib/sessions/impersonation.ts). A path added by a future plugin under these prefixes is
 * covered without a change here.
 */
export const IMPERSONATION_RESTRICTED = [
  "/change-password",
  "/change-email",
  "/set-password",
  "/reset-password",
  "/reset-password/:token",
  "/request-password-reset",
  "/update-user",
  "/delete-user",
  "/link-social",
  "/unlink-account",
  "/device/approve",
  "/device/deny",
  START_PATH,
  "/two-factor/",
  "/totp/",
  "/passkey/",
];

export function isRestrictedWhileImpersonating(path: string): boolean {
  return IMPERSONATION_RESTRICTED.some((p) => (p.endsWith("/") ? path.startsWith(p) : path === p));
}

/** better-auth's `{code, message}`, plus the app's `{error:{code, message}}` shape. */
function refusal(status: "FORBIDDEN" | "BAD_REQUEST" | "NOT_FOUND" | "UNAUTHORIZED" | "INTERNAL_SERVER_ERROR", code: string, message: string, headers?: Headers): APIError {
  return new APIError(status, { code, message, error: { code, message } }, headers);
}

interface SessionRowLite {
  id: string;
  userId: string;
  signInMethod: string | null;
  impersonatedBy: string | null;
}

async function sessionOfToken(token: string | null): Promise<SessionRowLite | null> {
  if (!token) return null;
  const [row] = await getDb()
    .select({ id: sessionTable.id, userId: sessionTable.userId, signInMethod: sessionTable.signInMethod, impersonatedBy: sessionTable.impersonatedBy })
    .from(sessionTable)
    .where(eq(sessionTable.token, token));
  return row ?? null;
}

async function userRow(id: string) {
  const [u] = await getDb().select().from(userTable).where(eq(userTable.id, id));
  return u ?? null;
}

const isAdminRole = (role: string | null | undefined) => (role ?? "").split(",").some((r) => r.trim() === "admin");

function actorOf(admin: { id: string; email: string; name: string }, sessionId: string | null, headers: Headers | undefined): AdminActor {
  return {
    id: admin.id,
    email: admin.email,
    name: admin.name,
    sessionId,
    ipAddress: headers ? clientAddress(headers) : null,
    userAgent: headers?.get("user-agent") ?? null,
  };
}

type HookCtx = Parameters<Parameters<typeof createAuthMiddleware>[0]>[0];

/** The admin's own session, kept aside in better-auth's signed `admin_session` cookie. */
async function adminCookieOf(ctx: HookCtx): Promise<{ token: string; dontRemember: boolean } | null> {
  const value = await ctx.getSignedCookie(ctx.context.createAuthCookie("admin_session").name, ctx.context.secret);
  if (!value) return null;
  const [token, dontRemember] = value.split(":");
  return token ? { token, dontRemember: !!dontRemember } : null;
}

function expireAdminCookie(ctx: HookCtx): void {
  expireCookie(ctx as never, ctx.context.createAuthCookie("admin_session"));
}

function clearedCookies(ctx: HookCtx): Headers {
  const headers = new Headers();
  for (const name of [...authCookieNames(), ctx.context.createAuthCookie("admin_session").name]) {
    headers.append("Set-Cookie", `${name}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${secureCookies() ? "; Secure" : ""}`);
  }
  return headers;
}

/** The admin behind the kept-aside cookie, if that session is live and still an admin's. */
async function liveAdminOf(ctx: HookCtx) {
  const kept = await adminCookieOf(ctx);
  if (!kept) return null;
  const check = await checkSessionToken(kept.token);
  if (!check.ok) return null;
  const admin = await userRow(check.session.userId);
  if (!admin || admin.banned || !roleCan(admin.role, { user: ["impersonate"] })) return null;
  return { admin, sessionId: check.session.sessionId, ...kept };
}

/** Ends a support session (both stores) and says so (Recent activity, the admin's tabs). */
async function endSupportSession(row: SessionRowLite, by?: string): Promise<void> {
  const ended = await endSessions(row.userId, { sessionIds: [row.id] });
  sessionsEnded(row.userId, "sign-out", ended, undefined, by ? { sessionId: by } : undefined);
}

async function beforeStart(ctx: HookCtx): Promise<void> {
  const body = ctx.body as Record<string, unknown> | undefined;
  if (!body || typeof body !== "object" || Object.keys(body).some((k) => k !== "userId") || typeof body.userId !== "string" || body.userId === "") {
    throw refusal("BAD_REQUEST", "INVALID_BODY", 'Send {"userId": "<id>"}.');
  }
  // The front door has checked the session is live and fresh; this is its row.
  const current = await sessionOfToken(verifySessionCookie(ctx.headers ? readSessionCookie(ctx.headers) : undefined));
  if (!current) throw refusal("UNAUTHORIZED", "UNAUTHENTICATED", "You are not signed in, or your session has ended.");
  // The role from Postgres on every request (never the session's copy), then the permission.
  const admin = await userRow(current.userId);
  if (!admin || admin.banned || !roleCan(admin.role, { user: ["impersonate"] })) {
    throw refusal("FORBIDDEN", "FORBIDDEN", "Your account is not allowed to do that.");
  }
  if (admin.twoFactorEnabled && !SECOND_FACTOR_METHODS.has(current.signInMethod ?? "")) {
    throw refusal("FORBIDDEN", "SECOND_FACTOR_REQUIRED", "Sign in again with your second factor before viewing an account as its user.");
  }
  const target = await userRow(body.userId);
  if (!target) throw refusal("NOT_FOUND", "USER_NOT_FOUND", "No such user.");
  if (target.id === admin.id) throw refusal("BAD_REQUEST", "CANNOT_IMPERSONATE_SELF", "You cannot view your own account as support.");
  if (isAdminRole(target.role)) throw refusal("FORBIDDEN", "CANNOT_IMPERSONATE_ADMIN", "Another administrator's account cannot be viewed as its user.");
  if (target.banned && (!target.banExpires || target.banExpires.getTime() > Date.now())) {
    throw refusal("FORBIDDEN", "CANNOT_IMPERSONATE_BANNED", "A suspended account cannot be viewed as its user.");
  }
}

/** Audited once the session exists; an audit that cannot be written undoes the start. */
async function afterStart(ctx: HookCtx): Promise<void> {
  const returned = ctx.context.returned as { session?: { id: string; userId: string; impersonatedBy?: string | null; expiresAt: Date } } | undefined;
  const started = returned && !(returned instanceof Error) ? returned.session : undefined;
  if (!started?.impersonatedBy) return;
  const [admin, target] = await Promise.all([userRow(started.impersonatedBy), userRow(started.userId)]);
  const current = await sessionOfToken(verifySessionCookie(ctx.headers ? readSessionCookie(ctx.headers) : undefined));
  const [row] = await getDb().select({ token: sessionTable.token }).from(sessionTable).where(eq(sessionTable.id, started.id));
  try {
    await recordAdminAction(actorOf(admin!, current?.id ?? null, ctx.headers), "impersonation.start", { id: target!.id, email: target!.email }, {
      sessionId: started.id,
      expiresAt: new Date(started.expiresAt).toISOString(),
      // The index's digest of the token (never the token): a stop after the user ended the
      // session finds whose account it was from the browser's dead cookie (supportTargetOf).
      tokenHash: row ? hashToken(row.token) : null,
    });
  } catch (err) {
    console.error(`[impersonation] audit of a start failed, ending session ${started.id}: ${(err as Error).message}`);
    await endSupportSession({ id: started.id, userId: started.userId, signInMethod: "impersonation", impersonatedBy: started.impersonatedBy });
    throw refusal("INTERNAL_SERVER_ERROR", "AUDIT_FAILED", "The action could not be recorded, so it was not done. Try again.");
  }
}

/**
 * Whose account an ended support session was for, from its start's audit row: by the
 * browser's dead cookie when it still holds one, else the admin's latest start (the proxy
 * clears a refused cookie, so the tab may have none left).
 */
async function supportTargetOf(token: string | null, adminId: string): Promise<{ id: string; email: string } | null> {
  const [row] = await getDb()
    .select({ id: adminAudit.targetUserId, email: adminAudit.targetEmail })
    .from(adminAudit)
    .where(
      and(
        eq(adminAudit.action, "impersonation.start"),
        token ? sql`${adminAudit.detail}->>'tokenHash' = ${hashToken(token)}` : eq(adminAudit.actorId, adminId),
      ),
    )
    .orderBy(desc(adminAudit.id))
    .limit(1);
  return row?.id && row.email ? { id: row.id, email: row.email } : null;
}

/**
 * Stop: back to the admin's own session, only while it is live (better-auth only reads its
 * row, which an idle or revoked session may still have). With a live support session,
 * better-auth's endpoint ends it and restores the cookie; when the support session already
 * ended (the user signed it out), this answers itself and restores the admin's cookie.
 */
async function beforeStop(ctx: HookCtx): Promise<unknown> {
  const cookie = ctx.headers ? readSessionCookie(ctx.headers) : undefined;
  const token = verifySessionCookie(cookie);
  const currentCheck = token ? await checkSessionToken(token) : null;
  const current = currentCheck?.ok ? await sessionOfToken(token) : null;
  const admin = await liveAdminOf(ctx);
  if (current && !current.impersonatedBy) throw refusal("BAD_REQUEST", "NOT_IMPERSONATING", "You are not viewing an account as support.");
  if (!admin || (current && current.impersonatedBy !== admin.admin.id)) {
    // The admin's own session is gone: the support session ends with it.
    if (current) await endSupportSession(current);
    throw refusal("UNAUTHORIZED", "UNAUTHENTICATED", "Your own session has ended. Sign in again.", clearedCookies(ctx));
  }
  const target = current ? await userRow(current.userId) : await supportTargetOf(token, admin.admin.id);
  await recordAdminAction(actorOf(admin.admin, admin.sessionId, ctx.headers), "impersonation.stop", target ? { id: target.id, email: target.email } : null, {
    sessionId: current?.id ?? null,
    endedBy: current ? "admin" : "user",
  });
  if (current) return; // better-auth ends it (its delete hooks unindex and announce) and restores the cookie
  const found = await ctx.context.internalAdapter.findSession(admin.token);
  if (!found) throw refusal("UNAUTHORIZED", "UNAUTHENTICATED", "Your own session has ended. Sign in again.", clearedCookies(ctx));
  await setSessionCookie(ctx as never, found, admin.dontRemember);
  expireAdminCookie(ctx);
  return ctx.json({ resumed: true });
}

/** Sign-out while impersonating leaves the browser: the admin's own session ends too. */
async function beforeSignOut(ctx: HookCtx): Promise<void> {
  const current = await sessionOfToken(verifySessionCookie(ctx.headers ? readSessionCookie(ctx.headers) : undefined));
  if (!current?.impersonatedBy) return;
  const kept = await adminCookieOf(ctx);
  const adminSession = await sessionOfToken(kept?.token ?? null);
  const admin = await userRow(current.impersonatedBy);
  if (admin) {
    const target = await userRow(current.userId);
    await recordAdminAction(actorOf(admin, adminSession?.id ?? null, ctx.headers), "impersonation.stop", target ? { id: target.id, email: target.email } : null, {
      sessionId: current.id,
      endedBy: "sign-out",
    });
  }
  if (adminSession && adminSession.userId === current.impersonatedBy) {
    const ended = await endSessions(adminSession.userId, { sessionIds: [adminSession.id] });
    sessionsEnded(adminSession.userId, "sign-out", ended, undefined, { sessionId: adminSession.id });
  }
  expireAdminCookie(ctx);
}

export const impersonationPlugin = () =>
  ({
    id: "impersonation",
    hooks: {
      before: [
        {
          matcher: () => true,
          handler: createAuthMiddleware(async (ctx) => {
            if (isRestrictedWhileImpersonating(ctx.path)) {
              const current = await sessionOfToken(verifySessionCookie(ctx.headers ? readSessionCookie(ctx.headers) : undefined));
              if (current?.impersonatedBy) throw refusal("FORBIDDEN", "IMPERSONATION_RESTRICTED", IMPERSONATION_RESTRICTED_MESSAGE);
            }
            // better-auth's own origin check is off under test and only runs with a cookie:
            // starting and stopping support access refuse a cross-site request themselves.
            if ((ctx.path === START_PATH || ctx.path === STOP_PATH) && ctx.request && ctx.headers && !isSameOrigin(ctx.headers)) {
              throw refusal("FORBIDDEN", "CROSS_SITE_REQUEST", "Cross-site requests are not allowed.");
            }
            if (ctx.path === START_PATH) return beforeStart(ctx);
            if (ctx.path === STOP_PATH) return beforeStop(ctx);
            if (ctx.path === "/sign-out") return beforeSignOut(ctx);
          }),
        },
      ],
      after: [
        {
          matcher: (ctx) => ctx.path === START_PATH,
          handler: createAuthMiddleware(afterStart),
        },
      ],
    },
  }) satisfies BetterAuthPlugin;
