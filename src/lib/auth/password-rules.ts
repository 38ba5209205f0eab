// Every password check is limited the way sign-in is (ASVS 6.3.1): per client address (all
// checks) and per account (failed checks), counted in the same Redis-backed storage. The account bucket is the one
// sign-in uses, so an attacker holding a stolen cookie gets no extra guesses by moving
// from sign-in to a signed-in endpoint that checks the password (or the other way round).
import type { BetterAuthPlugin } from "better-auth";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { clientAddress } from "@/lib/client-address";
import { addressBucket } from "@/lib/ip-address";
import { user as userTable } from "@/db/schema";
import { readSessionCookie } from "@/lib/sessions/cookie";
import { checkSessionCookie } from "@/lib/sessions/validate";
import { ACCOUNT_RULE, accountAttempts, type AttemptStorage } from "./rate-limit";

/** Signed-in endpoints that check the account's password, and the field holding it. */
export const PASSWORD_CHECKS: Record<string, string> = {
  "/change-password": "currentPassword",
  "/delete-user": "password", // optional there: without it, a fresh session is required
  "/verify-password": "password", // server-side only (disabled over HTTP): the app's revoke API
  "/two-factor/enable": "password",
  "/two-factor/disable": "password",
  "/two-factor/generate-backup-codes": "password",
  "/two-factor/get-totp-uri": "password",
};

/** Per client address, over all signed-in password checks together. */
export const CLIENT_PASSWORD_RULE = { window: 5 * 60, max: 10 };

function tooMany(retryAfter: number | null, window: number): APIError {
  const seconds = String(retryAfter ?? window);
  return new APIError(
    "TOO_MANY_REQUESTS",
    { code: "TOO_MANY_ATTEMPTS", message: "Too many password attempts. Please try again later." },
    { "X-Retry-After": seconds, "Retry-After": seconds },
  );
}

async function emailOfSession(headers: Headers | undefined): Promise<string | null> {
  if (!headers) return null;
  const check = await checkSessionCookie(readSessionCookie(headers));
  if (!check.ok) return null;
  const [row] = await getDb().select({ email: userTable.email }).from(userTable).where(eq(userTable.id, check.session.userId));
  return row?.email ?? null;
}

const isPasswordCheck = (ctx: { path?: string }) => typeof ctx.path === "string" && Object.hasOwn(PASSWORD_CHECKS, ctx.path);

export const passwordAttemptLimitPlugin = (storage: AttemptStorage) => {
  // The account's budget of failures, shared with sign-in (a right password gives its slot back).
  const attempts = accountAttempts(storage);
  return {
    id: "password-attempt-limit",
    hooks: {
      before: [
        {
          matcher: isPasswordCheck,
          handler: createAuthMiddleware(async (ctx) => {
            const field = PASSWORD_CHECKS[ctx.path]!;
            const body = ctx.body as Record<string, unknown> | undefined;
            if (typeof body?.[field] !== "string" || body[field] === "") return; // no password checked
            const ip = clientAddress(ctx.headers);
            const client = await storage.consume(`pw:${ip ? addressBucket(ip) : "no-trusted-ip"}`, CLIENT_PASSWORD_RULE);
            if (!client.allowed) throw tooMany(client.retryAfter, CLIENT_PASSWORD_RULE.window);
            const email = await emailOfSession(ctx.headers);
            if (!email) return; // no session: the front door refuses the request anyway
            const account = await attempts.take(ctx, email);
            if (!account.allowed) throw tooMany(account.retryAfter, ACCOUNT_RULE.window);
          }),
        },
      ],
      after: [
        {
          matcher: isPasswordCheck,
          handler: createAuthMiddleware(async (ctx) => {
            await attempts.settle(ctx);
          }),
        },
      ],
    },
  } satisfies BetterAuthPlugin;
};
