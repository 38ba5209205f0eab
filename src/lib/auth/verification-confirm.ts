// Email verification is confirmed by a POST, never done by the link's GET.
//
// A verification link used to verify the address AND sign the browser in on a plain GET
// (better-auth's autoSignInAfterVerification). Anyone could mail a victim the link of an
// account of their own: opening it signed the victim out of her account and into the
// attacker's (login CSRF), and a mail scanner opening a link verified the address (with
// the password of the sign-up it was sent for) and got a session of its own.
//
// Now:
//  - GET /api/auth/verify-email with a live link changes nothing: it redirects to the page
//    /verify-email?token=..., which only reads (inspectVerificationLink) and shows the
//    address with a button;
//  - the button's POST /api/verify-email (same origin only) runs better-auth's own
//    verifyEmail inside `confirmation`, which the account-flows plugin lets through;
//  - better-auth's auto sign-in is off; after a confirmed verification, a browser that
//    holds no live session is signed in by the account-flows plugin's server-only endpoint
//    (SIGN_IN_AFTER_VERIFICATION_PATH, for signInUserId only): a browser signed in to any
//    account stays signed in to it.
import { AsyncLocalStorage } from "node:async_hooks";
import { eq } from "drizzle-orm";
import { jwtVerify } from "jose";
import { JWTExpired } from "jose/errors";
import { getDb } from "@/db";
import { user as userTable } from "@/db/schema";
import { env } from "@/lib/env";
import { checkVerificationLink } from "./pending-signup";

/** The account-flows plugin's server-only endpoint (never routed over HTTP). */
export const SIGN_IN_AFTER_VERIFICATION_PATH = "/verify-email/sign-in";

export interface Confirmation {
  /** The account to sign this browser in to once the address is verified, or null (keep the browser as it is). */
  signInUserId: string | null;
}

const confirmation = new AsyncLocalStorage<Confirmation>();

/** Set while POST /api/verify-email calls better-auth's verifyEmail. */
export const currentConfirmation = (): Confirmation | undefined => confirmation.getStore();

export function runConfirmed<T>(state: Confirmation, fn: () => Promise<T>): Promise<T> {
  return confirmation.run(state, fn);
}

/** better-auth's own codes, which the /verify-email page already explains. */
export type LinkProblem = "INVALID_TOKEN" | "TOKEN_EXPIRED" | "USER_NOT_FOUND";

export type LinkInspection =
  | { ok: true; userId: string; email: string; verified: boolean }
  | { ok: false; problem: LinkProblem };

/** What a verification link is about, without changing anything (the page and the POST both ask). */
export async function inspectVerificationLink(token: string | undefined): Promise<LinkInspection> {
  if (!token) return { ok: false, problem: "INVALID_TOKEN" };
  const secret = env().BETTER_AUTH_SECRET;
  let email: unknown;
  try {
    ({ payload: { email } } = await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ["HS256"] }));
  } catch (err) {
    return { ok: false, problem: err instanceof JWTExpired ? "TOKEN_EXPIRED" : "INVALID_TOKEN" };
  }
  // Only links this app recorded and has not voided (pending-signup.ts); email-change links are not enabled.
  const link = await checkVerificationLink(token, secret);
  if (link.kind !== "live" || typeof email !== "string") return { ok: false, problem: "INVALID_TOKEN" };
  const [row] = await getDb()
    .select({ email: userTable.email, verified: userTable.emailVerified })
    .from(userTable)
    .where(eq(userTable.id, link.userId))
    .limit(1);
  if (!row) return { ok: false, problem: "USER_NOT_FOUND" };
  if (row.email.toLowerCase() !== email.toLowerCase()) return { ok: false, problem: "INVALID_TOKEN" };
  return { ok: true, userId: link.userId, email: row.email, verified: row.verified };
}
