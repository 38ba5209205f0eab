// Support sessions ("impersonation"): an administrator viewing the app as a user, through
// better-auth's admin plugin (lib/auth/impersonation.ts starts and stops them). This module
// only answers "is this session one?" for the app's own routes, which must refuse what an
// impersonation session may not do (end sessions, report a sign-in). One primary-key read:
// these routes are rare writes, not the per-request path.
import { and, eq, gt, isNotNull } from "drizzle-orm";
import { getDb } from "@/db";
import { session as sessionTable, user as userTable } from "@/db/schema";
import { API_ERROR } from "@/lib/http/error-codes";
import { ApiError } from "@/lib/http/errors";
import { readSessionCookie, verifySessionCookie } from "./cookie";

/** The absolute lifetime of a support session (better-auth's impersonationSessionDuration). */
export const IMPERSONATION_SECONDS = 60 * 60;

export const IMPERSONATION_RESTRICTED_MESSAGE = "Support access cannot change the account's password, email, sign-in methods or sessions.";

/** The administrator's user id if this session is a support session, else null. */
export async function impersonatorOf(sessionId: string): Promise<string | null> {
  const [row] = await getDb().select({ by: sessionTable.impersonatedBy }).from(sessionTable).where(eq(sessionTable.id, sessionId));
  return row?.by ?? null;
}

/** The same, for the session a token belongs to. */
export async function impersonatorOfToken(token: string): Promise<string | null> {
  const [row] = await getDb().select({ by: sessionTable.impersonatedBy }).from(sessionTable).where(eq(sessionTable.token, token));
  return row?.by ?? null;
}

export function impersonationRestricted(): ApiError {
  return new ApiError(403, API_ERROR.impersonationRestricted, IMPERSONATION_RESTRICTED_MESSAGE);
}

/** 403 IMPERSONATION_RESTRICTED when the acting session is a support session. */
export async function assertNotImpersonating(sessionId: string): Promise<void> {
  if (await impersonatorOf(sessionId)) throw impersonationRestricted();
}

/** For a public route: refused when the request carries a support session's cookie. */
export async function assertRequestNotImpersonating(headers: Headers): Promise<void> {
  const token = verifySessionCookie(readSessionCookie(headers));
  if (token && (await impersonatorOfToken(token))) throw impersonationRestricted();
}

/**
 * For the banner: the support session this browser holds, if any (whose account, until
 * when). The page itself is gated by the proxy; this only says what to show. Null on any
 * failure: a banner must never break a page.
 */
export async function currentImpersonation(headers: Headers): Promise<{ userName: string; expiresAt: Date } | null> {
  const token = verifySessionCookie(readSessionCookie(headers));
  if (!token) return null;
  try {
    const [row] = await getDb()
      .select({ userName: userTable.name, expiresAt: sessionTable.expiresAt })
      .from(sessionTable)
      .innerJoin(userTable, eq(userTable.id, sessionTable.userId))
      .where(and(eq(sessionTable.token, token), isNotNull(sessionTable.impersonatedBy), gt(sessionTable.expiresAt, new Date())));
    return row ?? null;
  } catch {
    return null;
  }
}
