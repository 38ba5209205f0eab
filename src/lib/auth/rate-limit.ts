// better-auth's rate limiter, backed by Redis so limits hold across instances
// (ASVS 6.3.1). One Lua script per request: INCR + first-hit expiry, atomic and on a
// single key (Cluster-safe). If Redis is unreachable, an in-process window takes over,
// so limits still hold per instance rather than not at all.
import { createHash } from "node:crypto";
import type { BetterAuthOptions, BetterAuthPlugin } from "better-auth";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { env } from "@/lib/env";
import { countRateLimitRefusal } from "@/lib/metrics";
import type { RedisClient } from "@/lib/redis/client";

export type RateLimitStorage = NonNullable<NonNullable<BetterAuthOptions["rateLimit"]>["customStorage"]>;

const CONSUME = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
if n > tonumber(ARGV[2]) then return {0, redis.call('PTTL', KEYS[1])} end
return {1, 0}
`;

type Rule = { window: number; max: number };
type Verdict = { allowed: boolean; retryAfter: number | null };

/** Per-account limiter keys start with this (the metrics tell them from per-IP ones). */
const ACCOUNT_KEY_PREFIX = "acct:";

/** Fixed-window counter in process memory: the fallback, and development's limiter. */
export function memoryWindow() {
  const hits = new Map<string, { count: number; resetAt: number }>();
  return (key: string, rule: Rule, now = Date.now()): Verdict => {
    if (hits.size > 50_000) for (const [k, v] of hits) if (v.resetAt <= now) hits.delete(k);
    let entry = hits.get(key);
    if (!entry || entry.resetAt <= now) hits.set(key, (entry = { count: 0, resetAt: now + rule.window * 1000 }));
    entry.count++;
    if (entry.count > rule.max) return { allowed: false, retryAfter: Math.max(1, Math.ceil((entry.resetAt - now) / 1000)) };
    return { allowed: true, retryAfter: null };
  };
}

export function redisRateLimitStorage(client: RedisClient): RateLimitStorage {
  client.defineCommand("rvRateLimit", { numberOfKeys: 1, lua: CONSUME });
  const fallback = memoryWindow();
  const prefix = `${env().REDIS_KEY_PREFIX}:rl:`;
  return {
    async consume(key, rule) {
      try {
        const run = (client as unknown as { rvRateLimit: (...a: (string | number)[]) => Promise<[number, number]> }).rvRateLimit;
        const [allowed, pttl] = await run.call(client, prefix + key, rule.window * 1000, rule.max);
        return allowed === 1 ? { allowed: true, retryAfter: null } : { allowed: false, retryAfter: Math.max(1, Math.ceil(pttl / 1000)) };
      } catch {
        return fallback(key, rule);
      }
    },
  };
}

/** Per-route limits (per client IP), tighter than better-auth's defaults. */
export const RATE_LIMIT_RULES: Record<string, Rule> = {
  "/sign-in/email": { window: 60, max: 10 },
  "/sign-up/email": { window: 60, max: 5 },
  "/request-password-reset": { window: 300, max: 5 },
  "/reset-password": { window: 300, max: 10 },
  "/send-verification-email": { window: 300, max: 5 },
  "/change-password": { window: 300, max: 10 },
  "/delete-user": { window: 300, max: 10 },
};

/** The storage for this process: Redis when configured, else process memory. */
export function rateLimitStorage(client: RedisClient | null): RateLimitStorage {
  const window = memoryWindow();
  return countingRefusals(client ? redisRateLimitStorage(client) : { consume: async (key, rule) => window(key, rule) });
}

/** Counts refusals for the metrics: per account (keys this module writes) or per IP. */
function countingRefusals(storage: RateLimitStorage): RateLimitStorage {
  return {
    async consume(key, rule) {
      const verdict = await storage.consume(key, rule);
      if (!verdict.allowed) countRateLimitRefusal(key.startsWith(ACCOUNT_KEY_PREFIX) ? "account" : "ip");
      return verdict;
    },
  };
}

/**
 * Credential stuffing spreads one account's attempts over many IPs, which per-IP limits
 * miss: also limit sign-in attempts per account (by a hash of the email).
 */
export const ACCOUNT_RULE: Rule = { window: 15 * 60, max: 10 };

/** One bucket per account for every password check (sign-in and signed-in ones alike). */
export function accountKey(email: string): string {
  return `acct:${createHash("sha256").update(email.trim().toLowerCase()).digest("base64url").slice(0, 22)}`;
}

export const accountRateLimitPlugin = (storage: RateLimitStorage, rule: Rule = ACCOUNT_RULE) =>
  ({
    id: "account-rate-limit",
    hooks: {
      before: [
        {
          matcher: (ctx) => ctx.path === "/sign-in/email",
          handler: createAuthMiddleware(async (ctx) => {
            const email = typeof ctx.body?.email === "string" ? ctx.body.email.trim().toLowerCase() : "";
            if (!email) return;
            const verdict = await storage.consume(accountKey(email), rule);
            if (!verdict.allowed) {
              throw new APIError("TOO_MANY_REQUESTS", {
                message: "Too many sign-in attempts for this account. Please try again later.",
                code: "TOO_MANY_ATTEMPTS",
              }, { "X-Retry-After": String(verdict.retryAfter ?? rule.window), "Retry-After": String(verdict.retryAfter ?? rule.window) });
            }
          }),
        },
      ],
    },
  }) satisfies BetterAuthPlugin;
