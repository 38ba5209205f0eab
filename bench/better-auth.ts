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
import { betterAuthCookieOptions } from "@/lib/sessions/cookie";

type SecondaryStorage = NonNullable<BetterAuthOptions["secondaryStorage"]>;

/** The key prefix @better-auth/redis-storage uses by default. */
export const PEER_KEY_PREFIX = "better-auth:";

const INCREMENT_WITH_TTL = `local n = redis.call("INCR", KEYS[1])
if n == 1 then redis.call("EXPIRE", KEYS[1], ARGV[1]) end
return n`;

/**
 * better-auth's secondaryStorage over ioredis, sending the commands @better-auth/redis-storage
 * sends (one per call, under a key prefix: GET, SETEX or SET, DEL, GETDEL, a script for the
 * counter). That package (1.7.5) declares a peer dependency on ioredis 5 and the app uses
 * ioredis 6, so the bench carries these lines instead of a conflicting install.
 */
export function redisSecondaryStorage(client: Redis, prefix = PEER_KEY_PREFIX): SecondaryStorage {
  const key = (k: string) => `${prefix}${k}`;
  return {
    get: (k) => client.get(key(k)),
    getAndDelete: (k) => client.getdel(key(k)),
    async increment(k, ttl) {
      // One atomic step; the TTL is set when the counter is created and never extended.
      return Number(await client.eval(INCREMENT_WITH_TTL, 1, key(k), ttl));
    },
    async set(k, value, ttl) {
      if (ttl !== undefined && ttl > 0) await client.setex(key(k), ttl, value);
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
    advanced: betterAuthCookieOptions(),
  });
}

export type BenchAuth = ReturnType<typeof createBenchAuth>;
