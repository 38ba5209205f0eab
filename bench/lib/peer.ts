// The bench process's handle on the peer, better-auth with Redis secondaryStorage: the same
// configuration as the bench server's "better-auth-redis" mode (bench/better-auth.ts), on the
// run's Postgres and Redis, driven through better-auth's own API.
import { Redis } from "ioredis";
import pg from "pg";
import { env } from "@/lib/env";
import { createBenchAuth, type BenchAuth } from "../better-auth";
import { cookieFor, type SeededSession } from "./seed";

export interface Peer {
  auth: BenchAuth;
  redis: Redis;
  /** A session of the peer's own for the user of each seeded session (created once, through
   *  better-auth's internal adapter: the call its sign-in makes), as Cookie headers. */
  cookiesFor(sessions: SeededSession[]): Promise<string[]>;
  /** Creates one peer session for `userId`: its token and Cookie header. */
  createSession(userId: string): Promise<{ token: string; cookie: string }>;
  close(): Promise<void>;
}

export function createPeer(): Peer {
  const pool = new pg.Pool({ connectionString: env().DATABASE_URL, max: 4 });
  const redis = new Redis(env().REDIS_URL!, { maxRetriesPerRequest: 1 });
  const auth = createBenchAuth(pool, { kind: "redis", client: redis });
  const byOurSession = new Map<string, string>();

  async function createSession(userId: string) {
    const ctx = await auth.$context;
    const session = await ctx.internalAdapter.createSession(userId);
    return { token: session.token, cookie: cookieFor(session.token) };
  }

  return {
    auth,
    redis,
    createSession,
    async cookiesFor(sessions) {
      const out: string[] = [];
      for (const s of sessions) {
        let cookie = byOurSession.get(s.sessionId);
        if (!cookie) {
          cookie = (await createSession(s.userId)).cookie;
          byOurSession.set(s.sessionId, cookie);
        }
        out.push(cookie);
      }
      return out;
    },
    async close() {
      redis.disconnect();
      await pool.end();
    },
  };
}
