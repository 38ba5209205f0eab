// Profiling aid for the "revoke-all" figure (not part of `npm run bench`):
// `npx tsx scripts/bench-revoke-variants.ts` starts a private redis-server (port 3300-3399),
// records users with 10 / 100 / 1,000 sessions through RedisSessionIndex, and times, inside
// Redis (SLOWLOG with threshold 0), the app's REMOVE script as revokeSessions calls it against
// a batched variant: the same removals, but with variadic DEL / ZREM / HDEL (one call per 500
// sessions instead of four per session) and the tombstones as one per-user ZSET scored by
// expiry (pruned on write, so it stays bounded) instead of one key per session.
import { Redis } from "ioredis";
import { hashToken, userTag } from "@/lib/session-index";
import { REMOVE } from "@/lib/session-index/lua";
import { RedisSessionIndex } from "@/lib/session-index/redis";
import { median } from "../bench/lib/load";
import { startPrivateRedis } from "../bench/lib/redis-server";
import { table } from "../bench/lib/report";
import { randomId } from "../bench/lib/seed";

/** KEYS: byCreation, devices, tombstones (ZSET hash -> expiry ms).
 *  ARGV: validityPrefix, tombstoneTtlMs, sweep ('all' | ''), keep, then sessionId, tokenHash pairs. */
export const BATCHED_REMOVE = `
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local seen, sids, tomb, vkeys = {}, {}, {}, {}
local function add(sid, h)
  if seen[sid] or not h then return end
  seen[sid] = true
  sids[#sids + 1] = sid
  vkeys[#vkeys + 1] = ARGV[1] .. h
  tomb[#tomb + 1] = now + tonumber(ARGV[2])
  tomb[#tomb + 1] = h
end
for i = 5, #ARGV, 2 do add(ARGV[i], ARGV[i + 1]) end
if ARGV[3] == 'all' then
  local rest = {}
  for _, sid in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
    if sid ~= ARGV[4] and not seen[sid] then rest[#rest + 1] = sid end
  end
  for a = 1, #rest, 500 do
    local part = {unpack(rest, a, math.min(#rest, a + 499))}
    local metas = redis.call('HMGET', KEYS[2], unpack(part))
    for j, sid in ipairs(part) do add(sid, metas[j] and cjson.decode(metas[j]).h) end
  end
end
for a = 1, #sids, 500 do
  local b = math.min(#sids, a + 499)
  redis.call('DEL', unpack(vkeys, a, b))
  redis.call('ZREM', KEYS[1], unpack(sids, a, b))
  redis.call('HDEL', KEYS[2], unpack(sids, a, b))
  redis.call('ZADD', KEYS[3], unpack(tomb, 2 * a - 1, 2 * b))
end
if #sids > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
  redis.call('PEXPIRE', KEYS[3], ARGV[2])
end
return #sids
`;

async function main() {
  const own = await startPrivateRedis();
  const r = new Redis(own.url);
  const index = new RedisSessionIndex(r, { prefix: "rv" });
  await r.config("SET", "slowlog-log-slower-than", "0");

  async function user(n: number) {
    const userId = randomId();
    const now = Date.now();
    const refs = [];
    for (let i = 0; i < n; i++) {
      const tokenHash = hashToken(userTag(userId) + randomId());
      const sessionId = randomId();
      refs.push({ sessionId, tokenHash });
      await index.record(
        {
          sessionId,
          userId,
          tokenHash,
          createdAt: now + i,
          expiresAt: now + 86_400_000,
          lastActiveAt: now,
          browser: "Chrome 131",
          os: "macOS 10.15.7",
          deviceType: "desktop",
          label: "Chrome 131 on macOS",
          ipAddress: "203.0.113.7",
        },
        { kind: "new", limit: 0 },
      );
    }
    const k = `rv:{${userTag(userId)}}`;
    return { userId, refs, z: `${k}:u:${userId}:z`, d: `${k}:u:${userId}:d`, t: `${k}:t:`, x: `${k}:x:`, xz: `${k}:u:${userId}:x` };
  }

  /** The script's execution time inside Redis, ms. */
  async function inRedis(fn: () => Promise<unknown>): Promise<number> {
    await r.call("SLOWLOG", "RESET");
    await fn();
    const entries = (await r.call("SLOWLOG", "GET", "50")) as [number, number, number, string[]][];
    return entries.filter((e) => /^eval/i.test(String(e[3][0]))).reduce((a, e) => a + e[2] / 1000, 0);
  }

  const rows: (string | number)[][] = [];
  try {
    for (const n of [10, 100, 1000]) {
      const current: number[] = [];
      const batched: number[] = [];
      for (let trial = 0; trial < 5; trial++) {
        // What revokeSessions sends: every other session's (id, token hash), plus the sweep.
        let u = await user(n);
        const pairs = u.refs.slice(1).flatMap((x) => [x.sessionId, x.tokenHash]);
        current.push(await inRedis(() => r.eval(REMOVE, 2, u.z, u.d, u.t, u.x, 300_000, "all", u.refs[0]!.sessionId, ...pairs)));
        u = await user(n);
        const pairs2 = u.refs.slice(1).flatMap((x) => [x.sessionId, x.tokenHash]);
        batched.push(await inRedis(() => r.eval(BATCHED_REMOVE, 3, u.z, u.d, u.xz, u.t, 300_000, "all", u.refs[0]!.sessionId, ...pairs2)));
        if ((await r.zcard(u.z)) !== 1 || (await r.exists(u.t + u.refs[1]!.tokenHash)) !== 0) throw new Error("batched variant left sessions behind");
      }
      rows.push([n, median(current).toFixed(2), median(batched).toFixed(2), `${(median(current) / median(batched)).toFixed(1)}×`]);
    }
  } finally {
    r.disconnect();
    await own.stop();
  }
  console.log(`\nRevoke-all inside Redis ${own.version} (SLOWLOG, median of 5), ms\n`);
  console.log(table(["sessions", "REMOVE (app)", "batched variant", "speed-up"], rows));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
