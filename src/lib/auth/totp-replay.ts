// better-auth plugin, one concern: an authenticator-app code signs in once.
//
// RFC 6238 (5.2): the verifier must not accept the same code again after a successful
// validation. better-auth's /two-factor/verify-totp accepts a right code as often as it is
// sent while it is in its window (the previous, current and next 30-second step), so a code
// read over a shoulder or out of a phishing page's log could sign a second device in.
//
// Here the code of a sign-in's second step (a request with a challenge) is claimed before
// better-auth checks it: one row per (user, code) in used_totp_code, inserted with ON
// CONFLICT DO NOTHING, so of two requests racing with the same code only one gets through.
// An existing claim is answered 401 TOTP_CODE_USED. A claim whose check failed is
// released in the after-hook, so a mistyped code blocks nothing. Confirming an app being
// set up (a signed-in session, no challenge) is not a sign-in and is not claimed.
import type { BetterAuthPlugin } from "better-auth";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { and, eq, lt } from "drizzle-orm";
import { getDb } from "@/db";
import { usedTotpCode } from "@/db/schema";

const VERIFY_TOTP = "/two-factor/verify-totp";
/** A claim outlives the code's window: three 30-second steps, and a margin for clock skew. */
export const CLAIM_MS = 2 * 60 * 1000;

/** Claims made by requests still in flight (key: their headers). */
const claims = new WeakMap<object, { userId: string; code: string }>();
const requestKey = (ctx: { headers?: Headers; request?: Request }): object | undefined => ctx.headers ?? ctx.request;

export const totpReplayPlugin = () =>
  ({
    id: "totp-replay",
    hooks: {
      before: [
        {
          matcher: (ctx) => ctx.path === VERIFY_TOTP,
          handler: createAuthMiddleware(async (ctx) => {
            const code = (ctx.body as { code?: unknown } | undefined)?.code;
            const key = requestKey(ctx);
            if (typeof code !== "string" || !key) return;
            // The sign-in's challenge (better-auth's signed two_factor cookie and its record).
            const identifier = await ctx.getSignedCookie(ctx.context.createAuthCookie("two_factor").name, ctx.context.secret);
            if (!identifier) return;
            const challenge = await ctx.context.internalAdapter.findVerificationValue(identifier);
            if (!challenge?.value) return;
            const userId = challenge.value;
            const db = getDb();
            await db.delete(usedTotpCode).where(and(eq(usedTotpCode.userId, userId), lt(usedTotpCode.expiresAt, new Date())));
            const claimed = await db
              .insert(usedTotpCode)
              .values({ userId, code, expiresAt: new Date(Date.now() + CLAIM_MS) })
              .onConflictDoNothing()
              .returning({ code: usedTotpCode.code });
            if (claimed.length === 0) {
              throw new APIError("UNAUTHORIZED", { code: "TOTP_CODE_USED", message: "That code was already used. Wait for the next code in your authenticator app." });
            }
            claims.set(key, { userId, code });
          }),
        },
      ],
      after: [
        {
          matcher: (ctx) => ctx.path === VERIFY_TOTP,
          handler: createAuthMiddleware(async (ctx) => {
            const key = requestKey(ctx);
            const claim = key ? claims.get(key) : undefined;
            if (!key || !claim) return;
            claims.delete(key);
            if (!(ctx.context.returned instanceof Error)) return;
            // The check failed (a wrong code, a dead challenge): the code was not used.
            await getDb()
              .delete(usedTotpCode)
              .where(and(eq(usedTotpCode.userId, claim.userId), eq(usedTotpCode.code, claim.code)));
          }),
        },
      ],
    },
  }) satisfies BetterAuthPlugin;
