// No account enumeration by timing on sign-up and request-password-reset.
//
// better-auth already answers both with the same body whether or not the address has an
// account, but not in the same time: a new sign-up inserts a user and an account (~11 ms
// more than a duplicate), a reset request for a real account inserts a token (~5 ms more
// than for an unknown address). Equalising that work with dummy queries would be fragile
// (it tracks better-auth's internals and the database's mood), so the work is moved off
// the request path instead: once the input is valid, the answer is sent at once, from
// input alone, and the look-up and everything after it run in the background.
//
// Invalid input (bad email, password too short/long, untrusted callback URL) still goes
// to better-auth, which rejects it before any account look-up: its answer depends only on
// the input, never on the account.
import { AsyncLocalStorage } from "node:async_hooks";
import type { AuthContext, User } from "better-auth";
import { z } from "zod";
import { runInBackground } from "@/lib/background";
import { replacePendingSignUp, type PendingSignUp, type SendVerificationLink } from "./pending-signup";

/** Set while the deferred work calls back into better-auth: that call must not be deferred again. */
const deferred = new AsyncLocalStorage<true>();

export const isDeferredCall = () => deferred.getStore() === true;

type Body = Record<string, unknown>;

const isObject = (v: unknown): v is Body => typeof v === "object" && v !== null && !Array.isArray(v);
const validEmail = (v: unknown): v is string => typeof v === "string" && z.email().safeParse(v).success;
const optionalString = (v: unknown): v is string | undefined => v === undefined || typeof v === "string";

function trustedTarget(ctx: AuthContext, target: string | undefined): boolean {
  return target === undefined || ctx.isTrustedOrigin(target, { allowRelativePaths: true });
}

/** The sign-up fields better-auth would accept, or null when it would reject the body. */
export function acceptableSignUp(ctx: AuthContext, body: unknown): PendingSignUp | null {
  if (!isObject(body)) return null;
  const { email, password, name, image, callbackURL } = body;
  if (!validEmail(email) || typeof name !== "string" || !optionalString(image) || !optionalString(callbackURL)) return null;
  if (typeof password !== "string") return null;
  const { minPasswordLength, maxPasswordLength } = ctx.password.config;
  if (password.length < minPasswordLength || password.length > maxPasswordLength) return null;
  if (!trustedTarget(ctx, callbackURL)) return null;
  return { email: email.toLowerCase(), password, name, image, callbackURL };
}

/** The answer every valid sign-up gets: better-auth's own shape for "check your email". */
export function neutralSignUpAnswer(ctx: AuthContext, input: PendingSignUp) {
  const now = new Date();
  return {
    token: null,
    user: {
      id: ctx.generateId({ model: "user" }) || crypto.randomUUID(),
      email: input.email,
      name: input.name,
      image: input.image ?? null,
      emailVerified: false,
      createdAt: now,
      updatedAt: now,
    },
  };
}

export interface DeferredAuthCalls {
  /** better-auth's own sign-up (creates the user, mails the first link). */
  signUp: (input: PendingSignUp, headers: Headers | undefined) => Promise<unknown>;
  /** better-auth's own reset request (token + email for a real account, nothing otherwise). */
  requestPasswordReset: (body: { email: string; redirectTo?: string }, headers: Headers | undefined) => Promise<unknown>;
  sendVerificationLink: SendVerificationLink;
}

/** The sign-up, after the answer: a new account, a replaced pending one, or nothing. */
export function deferSignUp(ctx: AuthContext, input: PendingSignUp, headers: Headers | undefined, calls: DeferredAuthCalls): void {
  runInBackground("deferred sign-up", () =>
    deferred.run(true, async () => {
      const found = await ctx.internalAdapter.findUserByEmail(input.email);
      if (!found) return calls.signUp(input, headers);
      if (!found.user.emailVerified) return replacePendingSignUp(ctx, found.user as User, input, calls.sendVerificationLink);
      // A verified account is never touched. Hash anyway, so a burst of sign-ups costs the
      // server the same whatever the addresses (later answers cannot tell either).
      await ctx.password.hash(input.password);
    }),
  );
}

export function acceptableResetRequest(ctx: AuthContext, body: unknown): { email: string; redirectTo?: string } | null {
  if (!isObject(body)) return null;
  const { email, redirectTo } = body;
  if (!validEmail(email) || !optionalString(redirectTo) || !trustedTarget(ctx, redirectTo)) return null;
  return { email, redirectTo };
}

export const NEUTRAL_RESET_ANSWER = {
  status: true,
  message: "If this email exists in our system, check your email for the reset link",
} as const;

export function deferResetRequest(body: { email: string; redirectTo?: string }, headers: Headers | undefined, calls: DeferredAuthCalls): void {
  runInBackground("deferred reset request", () => deferred.run(true, () => calls.requestPasswordReset(body, headers)));
}
