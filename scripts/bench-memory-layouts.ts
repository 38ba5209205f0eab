// Profiling aid for the "Redis memory per session" figure (not part of `npm run bench`):
// `npx tsx scripts/bench-memory-layouts.ts [sessions]` starts a private redis-server on a port
// in 3300-3399 (so used_memory is this script's alone and its config can be changed), stores
// the same sessions under the index's current layout and under alternatives, and prints bytes
// per session two ways: MEMORY USAGE summed over the keys, and the used_memory delta (which
// also counts the keyspace and expires dictionary entries that MEMORY USAGE leaves out).
import { Redis } from "ioredis";
import { hashToken, userTag } from "@/lib/session-index";
import { RedisSessionIndex } from "@/lib/session-index/redis";
import { parseUserAgent } from "@/lib/device";
import { table } from "../bench/lib/report";
import { randomId, USER_AGENTS } from "../bench/lib/seed";
import { startPrivateRedis } from "../bench/lib/redis-server";

const N = Number(process.argv[2] ?? 10_000);
const DAY = 86_400_000;

interface Layout {
  name: string;
  config?: Record<string, string>;
  store(r: Redis, perUser: number): Promise<void>;
}

function* sessions(perUser: number) {
  const now = Date.now();
  let userId = "";
  for (let i = 0; i < N; i++) {
    if (i % perUser === 0) userId = randomId();
    const token = userTag(userId) + randomId();
    const ua = USER_AGENTS[i % USER_AGENTS.length]!;
    const d = parseUserAgent(ua);
    yield {
      userId,
      tag: userTag(userId),
      sessionId: randomId(),
      token,
      tokenHash: hashToken(token),
      createdAt: now + (i % perUser),
      expiresAt: now + 30 * DAY,
      lastActiveAt: now,
      device: d,
      ip: "203.0.113.7",
    };
  }
}

/** Through the app's own index (RedisSessionIndex.record); `hashChars` shortens the token
 *  hash the keys and ZSET members are built from (the app uses 32). */
function viaIndex(hashChars = 32) {
  return async (r: Redis, perUser: number) => {
    const index = new RedisSessionIndex(r, { prefix: "rv" });
    const pending: Promise<unknown>[] = [];
    for (const s of sessions(perUser)) {
      pending.push(
        index.record(
          {
            sessionId: s.sessionId,
            userId: s.userId,
            tokenHash: s.tokenHash.slice(0, hashChars),
            createdAt: s.createdAt,
            expiresAt: s.expiresAt,
            lastActiveAt: s.lastActiveAt,
            browser: s.device.browser,
            os: s.device.os,
            deviceType: s.device.deviceType,
            label: s.device.label,
            ipAddress: s.ip,
          },
          { kind: "new", limit: 0 },
        ),
      );
      if (pending.length >= 2000) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending);
  };
}

/** The layout before commit 2e94c92, for comparison: validity STRING `sid|uid|exp|last`, a
 *  per-user HASH sessionId -> device JSON (with token hash, created, expires), a per-user ZSET
 *  of session ids. */
async function previousLayout(r: Redis, perUser: number) {
  let p = r.pipeline();
  let n = 0;
  for (const s of sessions(perUser)) {
    const base = `rv:{${s.tag}}`;
    const d = s.device;
    const json = JSON.stringify({ h: s.tokenHash, c: s.createdAt, e: s.expiresAt, b: d.browser, o: d.os, d: d.deviceType, l: d.label, ip: s.ip });
    p.set(`${base}:t:${s.tokenHash}`, `${s.sessionId}|${s.userId}|${s.expiresAt}|${s.lastActiveAt}`, "PXAT", s.expiresAt);
    p.hset(`${base}:u:${s.userId}:d`, s.sessionId, json);
    p.zadd(`${base}:u:${s.userId}:z`, s.createdAt, s.sessionId);
    p.pexpireat(`${base}:u:${s.userId}:d`, s.expiresAt);
    p.pexpireat(`${base}:u:${s.userId}:z`, s.expiresAt);
    if (++n % 2000 === 0) {
      await p.exec();
      p = r.pipeline();
    }
  }
  await p.exec();
}

const LAYOUTS: Layout[] = [
  { name: "current (RedisSessionIndex.record)", store: viaIndex() },
  { name: "current, 22-char token hash (132 bits)", store: viaIndex(22) },
  { name: "previous (validity + device HASH + ZSET), before 2e94c92", store: previousLayout },
];

async function usage(r: Redis): Promise<number> {
  let cursor = "0";
  let total = 0;
  do {
    const [next, keys] = await r.scan(cursor, "COUNT", 2000);
    cursor = next;
    const sizes = await Promise.all(keys.map((k) => r.memory("USAGE", k, "SAMPLES", 0)));
    for (const s of sizes) total += Number(s ?? 0);
  } while (cursor !== "0");
  return total;
}

const usedMemory = async (r: Redis) => Number(/used_memory:(\d+)/.exec(await r.info("memory"))?.[1]);

async function main() {
  const own = await startPrivateRedis();
  const r = new Redis(own.url);
  const rows: (string | number)[][] = [];
  try {
    for (const layout of LAYOUTS) {
      for (const perUser of [1, 3]) {
        await r.flushall();
        await r.config("SET", "hash-max-listpack-value", "64");
        for (const [k, v] of Object.entries(layout.config ?? {})) await r.config("SET", k, v);
        const before = await usedMemory(r);
        await layout.store(r, perUser);
        const after = await usedMemory(r);
        rows.push([layout.name, perUser, Math.round((await usage(r)) / N), Math.round((after - before) / N)]);
      }
    }
  } finally {
    r.disconnect();
    await own.stop();
  }
  console.log(`\nRedis bytes per session, ${N.toLocaleString("en-US")} sessions, private redis-server ${own.version} (default config unless noted)\n`);
  console.log(table(["layout", "sessions/user", "MEMORY USAGE B", "used_memory Δ B"], rows));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
