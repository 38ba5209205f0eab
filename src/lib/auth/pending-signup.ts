// Pre-registration takeover, and how it is closed.
//
// The attack: someone signs up victim@ with a password of their choosing. The account
// waits, unverified. When the owner of the address later signs up, better-auth answers
// the same neutral 200 and changes nothing; if she then asks for the verification email
// again and clicks it, she verifies (and is signed in to) an account whose password is the
// attacker's.
//
// The rule here: until an address is verified, its account is only a pending sign-up, and
// every verification link carries the credentials of the sign-up it was sent for. A
// verification link installs its own sign-up's password (and name) as it verifies the
// address; then every other link of the account is void. A sign-up for an unverified
// address makes its password the pending one and mails a fresh link that says the address
// was signed up again.
//
// So the link from the owner's own sign-up always gives her the password she chose,
// whoever signed up before or after her (the weakness of "the last sign-up wins", which
// let an attacker who signed up again after her void her link). Links are recorded when
// they are sent (their JWT is stateless, so better-auth cannot revoke one), with the
// password hash they install: a link that was voided, or never sent by this app,
// verifies nothing. The record holds the hash, never the password or the token.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { and, desc, eq, gt, like, or } from "drizzle-orm";
import type { AuthContext, User } from "better-auth";
import { createEmailVerificationToken } from "better-auth/api";
import { jwtVerify } from "jose";
import { getDb } from "@/db";
import { account, user as userTable, verification } from "@/db/schema";

const LINK_PREFIX = "verify-email:";

function linkIdentifier(token: string): string {
  return LINK_PREFIX + createHash("sha256").update(token).digest("base64url");
}

/** What a link installs when it verifies: the password (hash) and name of its sign-up. */
export interface LinkCredentials {
  passwordHash: string;
  name: string;
}

// The record's value: `<userId>` (a link recorded before links carried credentials) or
// `<userId>:<base64url JSON of LinkCredentials>`. better-auth ids never contain ":".
function encodeValue(userId: string, credentials: LinkCredentials | null): string {
  return credentials ? `${userId}:${Buffer.from(JSON.stringify(credentials)).toString("base64url")}` : userId;
}

function decodeValue(value: string): { userId: string; credentials: LinkCredentials | null } {
  const colon = value.indexOf(":");
  if (colon < 0) return { userId: value, credentials: null };
  try {
    const parsed = JSON.parse(Buffer.from(value.slice(colon + 1), "base64url").toString("utf8")) as Partial<LinkCredentials>;
    const ok = typeof parsed.passwordHash === "string" && typeof parsed.name === "string";
    return { userId: value.slice(0, colon), credentials: ok ? (parsed as LinkCredentials) : null };
  } catch {
    return { userId: value.slice(0, colon), credentials: null };
  }
}

/** LIKE pattern for "starts with": escapes LIKE's wildcards in the literal part. */
const startsWith = (literal: string) => `${literal.replace(/[\\%_]/g, "\\$&")}%`;

/** The account's pending password hash and name right now (the credentials of a link sent now). */
async function currentCredentials(userId: string): Promise<LinkCredentials | null> {
  const [row] = await getDb()
    .select({ passwordHash: account.password, name: userTable.name })
    .from(account)
    .innerJoin(userTable, eq(userTable.id, account.userId))
    .where(and(eq(account.userId, userId), eq(account.providerId, "credential")))
    .limit(1);
  return row?.passwordHash ? { passwordHash: row.passwordHash, name: row.name } : null;
}

/**
 * Records a verification link as sent, with the credentials it installs: those given (a
 * replaced pending sign-up knows its own), else the account's current ones (better-auth's
 * sign-up, a sign-in before verification, a resend). Only the token's hash is stored.
 */
export async function recordVerificationLink(
  userId: string,
  token: string,
  expiresInSeconds: number,
  credentials?: LinkCredentials,
): Promise<void> {
  const now = Date.now();
  const installs = credentials ?? (await currentCredentials(userId));
  await getDb()
    .insert(verification)
    .values({
      id: randomUUID(),
      identifier: linkIdentifier(token),
      value: encodeValue(userId, installs),
      expiresAt: new Date(now + expiresInSeconds * 1000),
    });
}

/**
 * better-auth's link for the user, re-minted with a random nonce: its JWTs have second
 * resolution, so two links for one address within a second would be the same token (one
 * record could then answer for another's credentials). The claims better-auth reads
 * (email, userId) and the link's lifetime are unchanged.
 */
export async function uniqueVerificationLink(
  url: string,
  user: { id: string; email: string },
  secret: string,
  expiresInSeconds: number,
): Promise<{ url: string; token: string }> {
  const token = await createEmailVerificationToken(secret, user.email, undefined, expiresInSeconds, {
    userId: user.id,
    nonce: randomBytes(12).toString("base64url"),
  });
  const link = new URL(url);
  link.searchParams.set("token", token);
  return { url: link.href, token };
}

/** Voids every verification link of the user (the address was verified). */
export async function voidVerificationLinks(userId: string): Promise<void> {
  await getDb()
    .delete(verification)
    .where(
      and(
        like(verification.identifier, `${LINK_PREFIX}%`),
        or(eq(verification.value, userId), like(verification.value, startsWith(`${userId}:`))),
      ),
    );
}

async function liveVerificationLink(token: string): Promise<{ userId: string; credentials: LinkCredentials | null } | null> {
  // Tokens are unique (uniqueVerificationLink); should one be recorded twice, the newest
  // record says what it installs.
  const [row] = await getDb()
    .select({ value: verification.value })
    .from(verification)
    .where(and(eq(verification.identifier, linkIdentifier(token)), gt(verification.expiresAt, new Date())))
    .orderBy(desc(verification.createdAt))
    .limit(1);
  return row ? decodeValue(row.value) : null;
}

export type VerificationLinkVerdict =
  | { kind: "live"; userId: string; credentials: LinkCredentials | null }
  | { kind: "voided" }
  | { kind: "not-ours" };

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
    return { kind: "not-ours" };
  }
  if (payload.updateTo) return { kind: "not-ours" };
  const live = await liveVerificationLink(token);
  return live ? { kind: "live", ...live } : { kind: "voided" };
}

/**
 * Before a live link verifies the address: make the account's password and name the ones
 * of the sign-up this link was sent for (no-op when they already are).
 */
export async function installLinkCredentials(ctx: AuthContext, userId: string, credentials: LinkCredentials | null): Promise<void> {
  if (!credentials) return;
  const current = await currentCredentials(userId);
  if (current?.passwordHash === credentials.passwordHash && current.name === credentials.name) return;
  await ctx.internalAdapter.updatePassword(userId, credentials.passwordHash);
  await ctx.internalAdapter.updateUser(userId, { name: credentials.name });
}

export interface PendingSignUp {
  email: string;
  password: string;
  name: string;
  image?: string;
  callbackURL?: string;
}

export type SendVerificationLink = (
  args: { user: User; url: string; token: string },
  options: { signedUpAgain: boolean; credentials?: LinkCredentials },
) => Promise<void>;

// One replacement at a time per account in this process, so two overlapping sign-ups
// leave the pending password of the later one.
const queues = new Map<string, Promise<void>>();

/**
 * A sign-up for an address whose account exists but is unverified: the new password and
 * name become the pending ones, and a fresh link that installs them is mailed. Earlier
 * links stay good for their own sign-ups' credentials until the address is verified.
 */
export function replacePendingSignUp(ctx: AuthContext, user: User, input: PendingSignUp, send: SendVerificationLink): Promise<void> {
  const previous = queues.get(user.id) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(async () => {
    const hash = await ctx.password.hash(input.password);
    await ctx.internalAdapter.updatePassword(user.id, hash);
    const updated = (await ctx.internalAdapter.updateUser(user.id, { name: input.name, image: input.image ?? null })) ?? user;
    const expiresIn = ctx.options.emailVerification?.expiresIn ?? 3600;
    const token = await createEmailVerificationToken(ctx.secret, user.email, undefined, expiresIn, { userId: user.id });
    const url = `${ctx.baseURL}/verify-email?token=${token}&callbackURL=${encodeURIComponent(input.callbackURL ?? "/")}`;
    await send({ user: updated as User, url, token }, { signedUpAgain: true, credentials: { passwordHash: hash, name: input.name } });
  });
  const tail = run.finally(() => {
    if (queues.get(user.id) === tail) queues.delete(user.id);
  });
  queues.set(user.id, tail);
  return run;
}
