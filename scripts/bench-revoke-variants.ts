// Profiling aid for the "revoke-all" figure (not part of `npm run bench`):
// `npx tsx scripts/bench-revoke-variants.ts` starts a private redis-server (port 3300-3399),
// records users with 10 / 100 / 1,000 sessions through RedisSessionIndex, and times, inside
// Redis (SLOWLOG with threshold 0), the app's REMOVE script as revokeSessions calls it against
// a batched variant: the same removals, but MGET / DEL / ZREM over 500 sessions per call
// instead of four calls per session, and the tombstones as one per-user ZSET scored by expiry
// (pruned on write, so it stays bounded; RECORD would check ZSCORE instead of EXISTS) instead
// of one key per session.
import { Redis } from "ioredis";
import { hashToken, userTag } from "@/lib/session-index";
import { REMOVE } from "@/lib/session-index/lua";
import { RedisSessionIndex } from "@/lib/session-index/redis";
import { median } from "../bench/lib/load";
import { startPrivateRedis } from "../bench/lib/redis-server";
import { table } from "../bench/lib/report";
import { randomId } from "../bench/lib/seed";

/** KEYS: byCreation, tombstones (ZSET tokenHash -> expiry ms).
 *  ARGV: validityPrefix, tombstoneTtlMs, sweep ('all' | ''), keepSessionId, then token hashes.
 *  Returns the ids of sessions that were present. */
export const BATCHED_REMOVE = `
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local seen, hs = {}, {}
local function add(h) if not seen[h] then seen[h] = true; hs[#hs + 1] = h end end
for i = 5, #ARGV do add(ARGV[i]) end
if ARGV[3] == 'all' then for _, h in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do add(h) end end
local out, drop, vkeys, tomb = {}, {}, {}, {}
for a = 1, #hs, 500 do
  local b = math.min(#hs, a + 499)
  local keys = {}
  for i = a, b do keys[#keys + 1] = ARGV[1] .. hs[i] end
  local vals = redis.call('MGET', unpack(keys))
  for j = 1, #keys do
    local v = vals[j]
    local sid = v and string.match(v, '^([^|]*)')
    if not (ARGV[3] == 'all' and sid == ARGV[4]) then
      local h = hs[a + j - 1]
      drop[#drop + 1] = h
      vkeys[#vkeys + 1] = keys[j]
      tomb[#tomb + 1] = now + tonumber(ARGV[2])
      tomb[#tomb + 1] = h
      if sid then out[#out + 1] = sid end
    end
  end
end
for a = 1, #drop, 500 do
  local b = math.min(#drop, a + 499)
  redis.call('DEL', unpack(vkeys, a, b))
  redis.call('ZREM', KEYS[1], unpack(drop, a, b))
  redis.call('ZADD', KEYS[2], unpack(tomb, 2 * a - 1, 2 * b))
end
if #drop > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
end
return out
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
    return { userId, refs, z: `${k}:u:${userId}:z`, t: `${k}:t:`, x: `${k}:x:`, xz: `${k}:u:${userId}:x` };
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
        // What revokeSessions sends: every other session's token hash, plus the sweep.
        let u = await user(n);
        const hashes = u.refs.slice(1).map((x) => x.tokenHash);
        current.push(await inRedis(() => r.eval(REMOVE, 1, u.z, u.t, u.x, 300_000, "all", u.refs[0]!.sessionId, ...hashes)));
        u = await user(n);
        const hashes2 = u.refs.slice(1).map((x) => x.tokenHash);
        batched.push(await inRedis(() => r.eval(BATCHED_REMOVE, 2, u.z, u.xz, u.t, 300_000, "all", u.refs[0]!.sessionId, ...hashes2)));
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
