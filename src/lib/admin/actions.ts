// What the console changes. Each action: the role check (guard.ts, by the route), the change
// in Postgres, the sessions it ends through the session lifecycle (Postgres, then the index,
// then the announcement that signs open tabs out), and its audit record.
import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { hashPassword } from "better-auth/crypto";
import { z } from "zod";
import { getDb } from "@/db";
import { account as accountTable, user as userTable } from "@/db/schema";
import { getAuth } from "@/lib/auth";
import { API_ERROR } from "@/lib/http/error-codes";
import { ApiError } from "@/lib/http/errors";
import { generationEnded, sessionsEnded } from "@/lib/sessions/ended";
import { endSessions, revokeAllSessions } from "@/lib/sessions/lifecycle";
import { recordAdminAction, type AdminActor } from "./audit";
import { findUser } from "./users";

/** Longest ban reason kept (it is shown to the banned person). */
export const MAX_BAN_REASON = 500;

export const banBody = z.strictObject({
  reason: z.string().trim().max(MAX_BAN_REASON).optional(),
  /** Seconds from now; left out: until lifted. */
  expiresIn: z.number().int().min(60).max(10 * 365 * 24 * 3600).optional(),
});
export type BanBody = z.infer<typeof banBody>;

export const endSessionsBody = z.union([
  z.strictObject({ sessionId: z.string().min(1).max(128).regex(/^[A-Za-z0-9_-]+$/) }),
  z.strictObject({ all: z.literal(true) }),
]);
export type EndSessionsBody = z.infer<typeof endSessionsBody>;

function notOnSelf(actor: AdminActor, targetId: string, what: string): void {
  if (actor.id === targetId) throw new ApiError(400, API_ERROR.invalidBody, `You cannot ${what} your own account from the console.`);
}

/**
 * Bans the user: every sign-in is refused from now on (the admin plugin's session hook),
 * then every session ends at once on every instance (revoke-all through the index; open
 * tabs hear "banned" and leave). The ban is written first, so a sign-in that starts after
 * it is refused rather than racing the revoke-all.
 */
export async function banUser(actor: AdminActor, targetId: string, body: BanBody): Promise<{ ended: number }> {
  const target = await findUser(targetId);
  notOnSelf(actor, target.id, "ban");
  const banExpires = body.expiresIn ? new Date(Date.now() + body.expiresIn * 1000) : null;
  const banReason = body.reason || null;
  await getDb().update(userTable).set({ banned: true, banReason, banExpires, updatedAt: new Date() }).where(eq(userTable.id, target.id));
  const ended = await revokeAllSessions(target.id, null);
  generationEnded(target.id, "banned", ended);
  await recordAdminAction(actor, "user.ban", target, { reason: banReason, expires: banExpires?.toISOString() ?? null, ended });
  return { ended };
}

/** Lifts the ban: sign-in works again. Sessions ended by the ban stay ended. */
export async function unbanUser(actor: AdminActor, targetId: string): Promise<void> {
  const target = await findUser(targetId);
  await getDb().update(userTable).set({ banned: false, banReason: null, banExpires: null, updatedAt: new Date() }).where(eq(userTable.id, target.id));
  await recordAdminAction(actor, "user.unban", target);
}

/** Ends one of the user's sessions, or all of them. */
export async function endUserSessions(actor: AdminActor, targetId: string, body: EndSessionsBody): Promise<{ ended: number }> {
  const target = await findUser(targetId);
  if ("all" in body) {
    const ended = await revokeAllSessions(target.id, null);
    generationEnded(target.id, "admin", ended);
    await recordAdminAction(actor, "sessions.end-all", target, { ended });
    return { ended };
  }
  const rows = await endSessions(target.id, { sessionIds: [body.sessionId] });
  if (rows.length === 0) throw new ApiError(404, API_ERROR.sessionNotFound, "That session has already ended.");
  sessionsEnded(target.id, "admin", rows);
  await recordAdminAction(actor, "session.end", target, { sessionId: body.sessionId });
  return { ended: rows.length };
}

/**
 * The user must choose a new password: the current one stops working (replaced by a random
 * one nobody knows), every session ends, and a reset link is emailed (better-auth's own
 * reset request, so the link and its rules are the forgot-password ones).
 */
export async function requirePasswordReset(actor: AdminActor, targetId: string): Promise<{ ended: number }> {
  const target = await findUser(targetId);
  notOnSelf(actor, target.id, "reset the password of");
  const unusable = await hashPassword(randomBytes(32).toString("base64url"));
  await getDb()
    .update(accountTable)
    .set({ password: unusable, updatedAt: new Date() })
    .where(and(eq(accountTable.userId, target.id), eq(accountTable.providerId, "credential")));
  const ended = await revokeAllSessions(target.id, null);
  generationEnded(target.id, "admin", ended);
  await getAuth().api.requestPasswordReset({ body: { email: target.email, redirectTo: "/reset-password" }, headers: new Headers() });
  await recordAdminAction(actor, "password.reset-required", target, { ended });
  return { ended };
}
