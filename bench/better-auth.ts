// The better-auth instances the bench compares against, built by the bench (never by the app):
// better-auth as the app configures it where it matters to getSession (secret, cookie names and
// attributes, lifetime, no sliding refresh), over the app's Postgres schema and a pool of the
// caller's own (so the bench server can count queries). Three variants:
//   database      getSession reads Postgres on every request
//   cookie cache  getSession trusts a signed session_data cookie for maxAge seconds
//   redis         better-auth's Redis mode: `secondaryStorage` over ioredis, sessions kept in
//                 Redis only (better-auth's default with a secondary storage), the closest peer
// Free of Next imports, so both the bench server (modes.ts) and the bench process (the
// correctness scenarios, seeding the peer's sessions) load it.
import { betterAuth, type BetterAuthOptions } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { drizzle } from "drizzle-orm/node-postgres";
import type { Redis } from "ioredis";
import type { Pool } from "pg";
import { schema } from "@/db/schema";
import { env } from "@/lib/env";
import { COOKIE_PREFIX, secureCookies } from "@/lib/sessions/cookie";

type SecondaryStorage = NonNullable<BetterAuthOptions["secondaryStorage"]>;

/** The key prefix @better-auth/redis-storage uses by default. */
export const PEER_KEY_PREFIX = "better-auth:";

/**
 * better-auth's secondaryStorage over ioredis, as @better-auth/redis-storage writes it (one
 * command per call, a key prefix, SET with EX when a TTL is given). That package (1.7.5) declares
 * a peer dependency on ioredis 5 and the app uses ioredis 6, so the bench carries these lines
 * instead of a conflicting install.
 */
export function redisSecondaryStorage(client: Redis, prefix = PEER_KEY_PREFIX): SecondaryStorage {
  const key = (k: string) => `${prefix}${k}`;
  return {
    get: (k) => client.get(key(k)),
    getAndDelete: (k) => client.getdel(key(k)),
    async increment(k, ttl) {
      // Atomic, TTL on creation only: INCR then EXPIRE NX in one MULTI.
      const out = await client.multi().incr(key(k)).expire(key(k), ttl, "NX").exec();
      return Number(out?.[0]?.[1]);
    },
    async set(k, value, ttl) {
      if (ttl && ttl > 0) await client.set(key(k), value, "EX", ttl);
      else await client.set(key(k), value);
    },
    async delete(k) {
      await client.del(key(k));
    },
  };
}

export type BenchAuthVariant =
  | { kind: "database" }
  | { kind: "cookie-cache"; maxAge: number }
  | { kind: "redis"; client: Redis };

export function createBenchAuth(pool: Pool, variant: BenchAuthVariant) {
  const e = env();
  return betterAuth({
    baseURL: e.APP_URL,
    secret: e.BETTER_AUTH_SECRET,
    trustedOrigins: [e.APP_URL],
    database: drizzleAdapter(drizzle({ client: pool, schema }), { provider: "pg", schema }),
    // The peer signs in with a password in the correctness scenarios (its own API, no HTTP:
    // better-auth's rate limiter applies to HTTP requests only).
    emailAndPassword: { enabled: true },
    ...(variant.kind === "redis" ? { secondaryStorage: redisSecondaryStorage(variant.client) } : {}),
    session: {
      expiresIn: e.SESSION_MAX_LIFETIME,
      disableSessionRefresh: true,
      freshAge: e.SESSION_FRESH_AGE,
      cookieCache: variant.kind === "cookie-cache" ? { enabled: true, maxAge: variant.maxAge } : { enabled: false },
    },
    advanced: {
      cookiePrefix: COOKIE_PREFIX,
      useSecureCookies: secureCookies(),
      defaultCookieAttributes: { sameSite: "lax", httpOnly: true },
    },
  });
}

export type BenchAuth = ReturnType<typeof createBenchAuth>;
