// Redis bytes per session: sessions stored under a separate prefix, MEMORY USAGE summed over
// every key of the prefix, at 1 and at 3 sessions per user; the used_memory delta beside it.
import { Redis } from "ioredis";
import { RedisSessionIndex } from "@/lib/session-index/redis";
import type { Ctx } from "../context";
import { seedIndexOnly } from "../lib/seed";

export interface MemoryRow {
  sessionsPerUser: number;
  sessions: number;
  bytesPerSession: number;
  byKind: Record<string, { keys: number; bytes: number }>;
  usedMemoryDeltaPerSession: number;
}

export async function memoryFigure(ctx: Ctx) {
  const client = new Redis(ctx.redisUrl);
  const prefix = "rvmem";
  const idx = new RedisSessionIndex(client, { prefix });
  const out: MemoryRow[] = [];
  try {
    for (const perUser of [1, 3]) {
      await idx.clear();
      const before = Number(/used_memory:(\d+)/.exec(await client.info("memory"))?.[1]);
      await seedIndexOnly(client, ctx.profile.memorySessions, 0, perUser, prefix);
      const after = Number(/used_memory:(\d+)/.exec(await client.info("memory"))?.[1]);
      const byKind: Record<string, { keys: number; bytes: number }> = {};
      let cursor = "0";
      let total = 0;
      do {
        const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 2000);
        cursor = next;
        const sizes = await Promise.all(keys.map((k) => client.memory("USAGE", k, "SAMPLES", 0)));
        keys.forEach((k, i) => {
          const kind = /:t:/.test(k) ? "validity (STRING)" : /:z$/.test(k) ? "by-creation (ZSET)" : /:d$/.test(k) ? "devices (HASH)" : "other";
          const size = Number(sizes[i] ?? 0);
          byKind[kind] ??= { keys: 0, bytes: 0 };
          byKind[kind].keys++;
          byKind[kind].bytes += size;
          total += size;
        });
      } while (cursor !== "0");
      out.push({
        sessionsPerUser: perUser,
        sessions: ctx.profile.memorySessions,
        bytesPerSession: total / ctx.profile.memorySessions,
        byKind,
        usedMemoryDeltaPerSession: (after - before) / ctx.profile.memorySessions,
      });
    }
    await idx.clear();
  } finally {
    client.disconnect();
  }
  return out;
}
