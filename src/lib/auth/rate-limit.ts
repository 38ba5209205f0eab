// better-auth's rate limiter, backed by Redis so limits hold across instances
// (ASVS 6.3.1). One Lua script per request: INCR + first-hit expiry, atomic and on a
// single key (Cluster-safe). If Redis is unreachable, an in-process window takes over,
// so limits still hold per instance rather than not at all.
import { createHash } from "node:crypto";
import type { BetterAuthOptions, BetterAuthPlugin } from "better-auth";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { clientAddress } from "@/lib/client-address";
import { env } from "@/lib/env";
import { API_ERROR } from "@/lib/http/error-codes";
import { ApiError } from "@/lib/http/errors";
import { getRedisClient } from "@/lib/redis/client";
import { countRateLimitRefusal } from "@/lib/metrics";
import { isLimitExemptDevice } from "@/lib/known-devices";
import { deviceIdOf } from "./device-identity";
import { noteFailedSignIn } from "./failed-sign-in-plugin";
import type { RedisClient } from "@/lib/redis/client";

export type RateLimitStorage = NonNullable<NonNullable<BetterAuthOptions["rateLimit"]>["customStorage"]>;

/** better-auth's storage plus giving one attempt back (the per-account limit counts failures only). */
export interface AttemptStorage extends RateLimitStorage {
  refund(key: string): Promise<void>;
}

const CONSUME = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
if n > tonumber(ARGV[2]) then return {0, redis.call('PTTL', KEYS[1])} end
return {1, 0}
`;

const REFUND = `
if redis.call('EXISTS', KEYS[1]) == 1 and tonumber(redis.call('GET', KEYS[1])) > 0 then redis.call('DECR', KEYS[1]) end
return 0
`;

type Rule = { window: number; max: number };
type Verdict = { allowed: boolean; retryAfter: number | null };

/** Per-account limiter keys start with this (the metrics tell them from per-IP ones). */
const ACCOUNT_KEY_PREFIX = "acct:";
/** A known device's own budget within an account; a full one is no refusal (the account's budget is next). */
const DEVICE_KEY_PREFIX = "acctdev:";

/** Fixed-window counter in process memory: the fallback, and development's limiter. */
export function memoryWindow() {
  const hits = new Map<string, { count: number; resetAt: number }>();
  const consume = (key: string, rule: Rule, now = Date.now()): Verdict => {
    if (hits.size > 50_000) for (const [k, v] of hits) if (v.resetAt <= now) hits.delete(k);
    let entry = hits.get(key);
    if (!entry || entry.resetAt <= now) hits.set(key, (entry = { count: 0, resetAt: now + rule.window * 1000 }));
    entry.count++;
    if (entry.count > rule.max) return { allowed: false, retryAfter: Math.max(1, Math.ceil((entry.resetAt - now) / 1000)) };
    return { allowed: true, retryAfter: null };
  };
  const refund = (key: string, now = Date.now()): void => {
    const entry = hits.get(key);
    if (entry && entry.resetAt > now && entry.count > 0) entry.count--;
  };
  return Object.assign(consume, { refund });
}

type RedisScripts = {
  rvRateLimit: (...a: (string | number)[]) => Promise<[number, number]>;
  rvRateLimitRefund: (...a: (string | number)[]) => Promise<number>;
};

export function redisRateLimitStorage(client: RedisClient): AttemptStorage {
  client.defineCommand("rvRateLimit", { numberOfKeys: 1, lua: CONSUME });
  client.defineCommand("rvRateLimitRefund", { numberOfKeys: 1, lua: REFUND });
  const scripts = client as unknown as RedisScripts;
  const fallback = memoryWindow();
  const prefix = `${env().REDIS_KEY_PREFIX}:rl:`;
  return {
    async refund(key) {
      try {
        await scripts.rvRateLimitRefund.call(client, prefix + key);
      } catch {
        fallback.refund(key);
      }
    },
    async consume(key, rule) {
      try {
        const [allowed, pttl] = await scripts.rvRateLimit.call(client, prefix + key, rule.window * 1000, rule.max);
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
  // Device authorization (device-flow.ts): asking for codes, polling (each code also
  // answers slow_down when polled faster than its interval), looking a code up, approving.
  "/device/code": { window: 60, max: 10 },
  "/device/token": { window: 60, max: 30 },
  "/device": { window: 60, max: 20 },
  "/device/approve": { window: 300, max: 10 },
  // OAuth: each start writes a state row; each callback exchanges a code with the provider.
  "/sign-in/social": { window: 60, max: 10 },
  "/callback/*": { window: 60, max: 10 },
  "/link-social": { window: 300, max: 10 },
  "/unlink-account": { window: 300, max: 10 },
  // The second step, per client (per account: better-auth's lockout, lib/auth/two-factor.ts).
  "/two-factor/verify-totp": { window: 300, max: 10 },
  "/two-factor/verify-backup-code": { window: 300, max: 10 },
  "/two-factor/enable": { window: 300, max: 10 },
  "/two-factor/disable": { window: 300, max: 10 },
  "/two-factor/generate-backup-codes": { window: 300, max: 10 },
  "/two-factor/get-totp-uri": { window: 300, max: 10 },
  // Passkeys (passkeys.ts): each options request writes a challenge row; each verify checks a signature.
  "/passkey/generate-authenticate-options": { window: 60, max: 20 },
  "/passkey/verify-authentication": { window: 60, max: 10 },
  "/passkey/generate-register-options": { window: 300, max: 10 },
  "/passkey/verify-registration": { window: 300, max: 10 },
  "/passkey/delete-passkey": { window: 300, max: 10 },
  "/passkey/update-passkey": { window: 300, max: 20 },
};

/** The storage for this process: Redis when configured, else process memory. */
export function rateLimitStorage(client: RedisClient | null): AttemptStorage {
  const window = memoryWindow();
  return countingRefusals(
    client ? redisRateLimitStorage(client) : { consume: async (key, rule) => window(key, rule), refund: async (key) => window.refund(key) },
  );
}

/** Counts refusals for the metrics: per account (keys this module writes) or per IP. */
function countingRefusals(storage: AttemptStorage): AttemptStorage {
  return {
    refund: (key) => storage.refund(key),
    async consume(key, rule) {
      const verdict = await storage.consume(key, rule);
      if (!verdict.allowed && !key.startsWith(DEVICE_KEY_PREFIX)) countRateLimitRefusal(key.startsWith(ACCOUNT_KEY_PREFIX) ? "account" : "ip");
      return verdict;
    },
  };
}

/**
 * Credential stuffing spreads one account's attempts over many IPs, which per-IP limits
 * miss: also limit failed password checks per account (by a hash of the email).
 */
export const ACCOUNT_RULE: Rule = { window: 15 * 60, max: 10 };

const emailHash = (email: string) => createHash("sha256").update(email.trim().toLowerCase()).digest("base64url").slice(0, 22);

/** One bucket per account for every password check (sign-in and signed-in ones alike). */
export function accountKey(email: string): string {
  return `${ACCOUNT_KEY_PREFIX}${emailHash(email)}`;
}

/**
 * A known device's exemption from the account's budget is bounded: it gets this many
 * failures of its own per window, then counts against the account like any browser. The
 * owner's typos fit; an intruder who once signed in (the cookie stays in their browser) no
 * longer guesses without limit from every address.
 */
export const DEVICE_RULE: Rule = { window: 15 * 60, max: 5 };

/** The device's own bucket within the account (the device id is random, never a secret's stand-in). */
export function deviceKey(email: string, deviceId: string): string {
  return `${DEVICE_KEY_PREFIX}${emailHash(email)}:${deviceId}`;
}

/** better-auth's answers to a wrong password (sign-in; signed-in checks). */
const WRONG_PASSWORD = new Set(["INVALID_EMAIL_OR_PASSWORD", "INVALID_PASSWORD"]);

function isWrongPassword(returned: unknown): boolean {
  return returned instanceof APIError && WRONG_PASSWORD.has(String((returned.body as { code?: unknown } | undefined)?.code));
}

/** The endpoint context as both hooks of one request see it (better-auth keeps its request headers object). */
type HookContext = { headers?: Headers; request?: Request; context: { returned?: unknown } };
const requestOf = (ctx: HookContext): object | undefined => ctx.headers ?? ctx.request;

/**
 * The per-account budget counts failed password checks only. A slot is taken before the
 * password is checked, so parallel guesses cannot all slip past a full bucket, and is
 * given back unless the check failed (a right password, an unverified address, an outage).
 */
export function accountAttempts(storage: AttemptStorage, rule: Rule = ACCOUNT_RULE) {
  const held = new WeakMap<object, string>();
  const takeSlot = async (ctx: HookContext, key: string, slotRule: Rule): Promise<Verdict> => {
    const verdict = await storage.consume(key, slotRule);
    const request = requestOf(ctx);
    if (verdict.allowed && request) held.set(request, key);
    return verdict;
  };
  return {
    /** Takes a slot for this account; the refusal's verdict when the bucket is full. */
    take: (ctx: HookContext, email: string): Promise<Verdict> => takeSlot(ctx, accountKey(email), rule),
    /** Takes a slot of a known device's own budget within the account (DEVICE_RULE). */
    takeForDevice: (ctx: HookContext, email: string, deviceId: string, deviceRule: Rule = DEVICE_RULE): Promise<Verdict> =>
      takeSlot(ctx, deviceKey(email, deviceId), deviceRule),
    /** After the check: the slot stays taken only if the password was wrong. */
    async settle(ctx: HookContext): Promise<void> {
      const request = requestOf(ctx);
      const key = request && held.get(request);
      if (!key) return;
      held.delete(request);
      if (!isWrongPassword(ctx.context.returned)) await storage.refund(key);
    },
  };
}

const tooManyForAccount = (retryAfter: number) =>
  new APIError(
    "TOO_MANY_REQUESTS",
    { message: "Too many sign-in attempts for this account. Please try again later.", code: "TOO_MANY_ATTEMPTS" },
    { "X-Retry-After": String(retryAfter), "Retry-After": String(retryAfter) },
  );

/**
 * Per-account limit on /sign-in/email. A browser holding a valid device cookie known for
 * the account (device-identity.ts) first spends a budget of its own (DEVICE_RULE), so a
 * stranger's wrong passwords never lock the owner out of a browser they have signed in from
 * before; past it, and for every other browser, the account's budget of failures applies.
 * A reported device, and every device after a password reset until it signs in again, is
 * not exempt (lib/known-devices.ts).
 */
export const accountRateLimitPlugin = (storage: AttemptStorage, rule: Rule = ACCOUNT_RULE, deviceRule: Rule = DEVICE_RULE) => {
  const attempts = accountAttempts(storage, rule);
  return {
    id: "account-rate-limit",
    hooks: {
      before: [
        {
          matcher: (ctx) => ctx.path === "/sign-in/email",
          handler: createAuthMiddleware(async (ctx) => {
            const email = typeof ctx.body?.email === "string" ? ctx.body.email.trim().toLowerCase() : "";
            if (!email) return;
            const deviceId = await deviceIdOf(ctx);
            if (deviceId && (await isLimitExemptDevice(email, deviceId))) {
              if ((await attempts.takeForDevice(ctx, email, deviceId, deviceRule)).allowed) return;
            }
            const verdict = await attempts.take(ctx, email);
            if (verdict.allowed) return;
            // Refused before better-auth answers, so no after-hook sees it: counted here.
            noteFailedSignIn(email, ctx.request?.headers ?? ctx.headers, true);
            throw tooManyForAccount(verdict.retryAfter ?? rule.window);
          }),
        },
      ],
      after: [
        {
          matcher: (ctx) => ctx.path === "/sign-in/email",
          handler: createAuthMiddleware(async (ctx) => {
            await attempts.settle(ctx);
          }),
        },
      ],
    },
  } satisfies BetterAuthPlugin;
};

/** Per client address, on the app's own public routes (better-auth's endpoints have the rules above). */
export const PUBLIC_ROUTE_RULES = {
  /** "This wasn't me": a person clicks it once or twice; a guesser gets ten tries per 15 minutes. */
  "/api/report-sign-in": { window: 15 * 60, max: 10 },
} satisfies Record<string, Rule>;

let routeStorage: { client: ReturnType<typeof getRedisClient>; storage: AttemptStorage } | null = null;

/**
 * Counts this request against its route's per-address budget (same storage as better-auth's
 * limits: Redis across instances, else process memory; off with RATE_LIMIT=off) and refuses
 * it with 429 and Retry-After past the budget. Without a trusted client address (plain
 * `next start`, see client-address.ts) every client shares one bucket.
 */
export async function limitPublicRoute(route: keyof typeof PUBLIC_ROUTE_RULES, headers: Headers): Promise<void> {
  if (env().RATE_LIMIT !== "on") return;
  const client = getRedisClient();
  if (routeStorage?.client !== client) routeStorage = { client, storage: rateLimitStorage(client) };
  const verdict = await routeStorage.storage.consume(`route:${route}:${clientAddress(headers) ?? "unknown"}`, PUBLIC_ROUTE_RULES[route]);
  if (verdict.allowed) return;
  const retryAfter = String(verdict.retryAfter ?? 60);
  throw new ApiError(429, API_ERROR.tooManyRequests, "Too many requests from this address. Please try again later.", { "Retry-After": retryAfter });
}
