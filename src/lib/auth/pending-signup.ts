// Pre-registration takeover, and how it is closed.
//
// The attack: someone signs up victim@ with a password of their choosing. The account
// waits, unverified. When the owner of the address later signs up, better-auth answers
// the same neutral 200 and changes nothing; if she then asks for the verification email
// again and clicks it, she verifies (and is signed in to) an account whose password is the
// attacker's.
//
// The rule here: until an address is verified, its account is only a pending sign-up, and
// the LAST sign-up wins. A sign-up for an unverified address replaces the pending
// password (and name), voids every verification link sent before, and mails a fresh link
// that says the address was signed up again. Verification links are recorded when they are
// sent (their JWT is stateless, so better-auth cannot revoke one): a link that was voided,
// or never sent by this app, verifies nothing.
//
// The owner's sign-up therefore always takes the account back, and the only working link
// in her inbox sets the password she chose last. (An attacker who signs up again after her
// makes the newest link set theirs; that email tells her the address was just signed up
// again and to sign up herself rather than use it.)
import { createHash, randomUUID } from "node:crypto";
import { and, eq, gt, like } from "drizzle-orm";
import type { AuthContext, User } from "better-auth";
import { createEmailVerificationToken } from "better-auth/api";
import { jwtVerify } from "jose";
import { getDb } from "@/db";
import { verification } from "@/db/schema";

const LINK_PREFIX = "verify-email:";

function linkIdentifier(token: string): string {
  return LINK_PREFIX + createHash("sha256").update(token).digest("base64url");
}

/** Records a verification link as sent (only its hash: the table never holds the token). */
export async function recordVerificationLink(userId: string, token: string, expiresInSeconds: number): Promise<void> {
  const now = Date.now();
  await getDb()
    .insert(verification)
    .values({ id: randomUUID(), identifier: linkIdentifier(token), value: userId, expiresAt: new Date(now + expiresInSeconds * 1000) });
}

/** Voids every verification link of the user (credentials replaced, or address verified). */
export async function voidVerificationLinks(userId: string): Promise<void> {
  await getDb()
    .delete(verification)
    .where(and(eq(verification.value, userId), like(verification.identifier, `${LINK_PREFIX}%`)));
}

async function isLiveVerificationLink(token: string): Promise<boolean> {
  const rows = await getDb()
    .select({ id: verification.id })
    .from(verification)
    .where(and(eq(verification.identifier, linkIdentifier(token)), gt(verification.expiresAt, new Date())))
    .limit(1);
  return rows.length > 0;
}

export type VerificationLinkVerdict = "live" | "voided" | "not-ours";

/**
 * Whether a /verify-email token may be used. "not-ours": not a valid, unexpired JWT of
 * this app (better-auth answers it with its own INVALID_TOKEN / TOKEN_EXPIRED), or an
 * email-change link (not enabled here; those are bound to a signed-in user anyway).
 */
export async function checkVerificationLink(token: string, secret: string): Promise<VerificationLinkVerdict> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ["HS256"] }));
  } catch {
    return "not-ours";
  }
  if (payload.updateTo) return "not-ours";
  return (await isLiveVerificationLink(token)) ? "live" : "voided";
}

export interface PendingSignUp {
  email: string;
  password: string;
  name: string;
  image?: string;
  callbackURL?: string;
}

export type SendVerificationLink = (args: { user: User; url: string; token: string }, options: { signedUpAgain: boolean }) => Promise<void>;

// One replacement at a time per account in this process, so the voiding and the new
// link of two overlapping sign-ups cannot interleave.
const queues = new Map<string, Promise<void>>();

/**
 * A sign-up for an address whose account exists but is unverified: the new password and
 * name replace the pending ones, earlier links are voided, a fresh link is mailed.
 */
export function replacePendingSignUp(ctx: AuthContext, user: User, input: PendingSignUp, send: SendVerificationLink): Promise<void> {
  const previous = queues.get(user.id) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(async () => {
    const hash = await ctx.password.hash(input.password);
    await ctx.internalAdapter.updatePassword(user.id, hash);
    const updated = (await ctx.internalAdapter.updateUser(user.id, { name: input.name, image: input.image ?? null })) ?? user;
    await voidVerificationLinks(user.id);
    const expiresIn = ctx.options.emailVerification?.expiresIn ?? 3600;
    const token = await createEmailVerificationToken(ctx.secret, user.email, undefined, expiresIn, { userId: user.id });
    const url = `${ctx.baseURL}/verify-email?token=${token}&callbackURL=${encodeURIComponent(input.callbackURL ?? "/")}`;
    await send({ user: updated as User, url, token }, { signedUpAgain: true });
  });
  const tail = run.finally(() => {
    if (queues.get(user.id) === tail) queues.delete(user.id);
  });
  queues.set(user.id, tail);
  return run;
}
