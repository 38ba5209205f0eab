// Scaling: Redis grown to 100,000 and 1,000,000 sessions (index only), then the baseline and
// our gate measured again with cookies drawn from the sessions just added, plus the check and a
// bare GET in this process. The check must not slow down as Redis grows.
import { Redis } from "ioredis";
import { hashToken, tagOfToken } from "@/lib/session-index";
import { keysFor } from "@/lib/session-index/keys";
import { checkSessionCookie } from "@/lib/sessions/validate";
import type { Ctx } from "../context";
import { median, percentile, pooled, withoutSamples, type LoadResult } from "../lib/load";
import { seedIndexOnly, type SeededSession } from "../lib/seed";
import { loadMode } from "./modes";

/**
 * The proxy's check without HTTP around it: checkSessionCookie() in this process (HMAC, token
 * hash, one GET through the app's index client), and a bare GET of the same keys, sequential.
 * What it shows: the check's own cost, and whether a bigger Redis makes the GET slower.
 */
async function checkProfile(ctx: Ctx, sessions: SeededSession[], n: number) {
  // A stall on a busy machine is a slow sample, not a failed run (as for the app client, run.ts).
  const raw = new Redis(ctx.redisUrl, { commandTimeout: 5_000, maxRetriesPerRequest: 1 });
  const keys = sessions.map((s) => keysFor(process.env.REDIS_KEY_PREFIX ?? "rv", tagOfToken(s.token)).validity(hashToken(s.token)));
  const values = sessions.map((s) => s.cookie.slice(s.cookie.indexOf("=") + 1));
  async function time(fn: (i: number) => Promise<unknown>) {
    for (let i = 0; i < Math.min(500, n); i++) await fn(i);
    const t = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const start = process.hrtime.bigint();
      await fn(i);
      t[i] = Number(process.hrtime.bigint() - start) / 1e3;
    }
    t.sort();
    return { p50: percentile(t, 0.5), p99: percentile(t, 0.99) };
  }
  try {
    const get = await time(async (i) => {
      if (!(await raw.get(keys[i % keys.length]!))) throw new Error("check profile: session not in Redis");
    });
    const check = await time(async (i) => {
      const c = await checkSessionCookie(values[i % values.length]);
      if (!c.ok) throw new Error(`check profile: ${c.reason}`);
    });
    return { samples: n, redisGetUs: get, checkUs: check };
  } finally {
    raw.disconnect();
  }
}

async function redisKeys(ctx: Ctx): Promise<number> {
  const c = new Redis(ctx.redisUrl);
  try {
    return await c.dbsize();
  } finally {
    c.disconnect();
  }
}

/** Grows Redis past the `alreadyInRedis` sessions to each profile size, then measures. */
export async function scaling(ctx: Ctx, alreadyInRedis: number, loadSample: SeededSession[]) {
  const { profile } = ctx;
  const out = [];
  let inRedis = alreadyInRedis;
  for (const size of profile.scalingSizes) {
    let sample = loadSample;
    let seedSeconds = 0;
    if (size > inRedis) {
      const t = Date.now();
      sample = await seedIndexOnly(ctx.seedIdx.client, size - inRedis, profile.loadSessions);
      seedSeconds = (Date.now() - t) / 1000;
      inRedis = size;
    }
    const keys = await redisKeys(ctx);
    const inProcess = await checkProfile(ctx, sample, profile.checkSamples);
    // Rows 1 and 2, interleaved (none, index, index, none, ...), medians over rounds.
    const runs: Record<"none" | "index", { sat: LoadResult[]; one: LoadResult[] }> = {
      none: { sat: [], one: [] },
      index: { sat: [], one: [] },
    };
    for (let r = 0; r < profile.scalingRounds; r++) {
      for (const mode of r % 2 ? (["index", "none"] as const) : (["none", "index"] as const)) {
        runs[mode].sat.push(await loadMode(ctx, mode, sample, { seconds: profile.scalingSeconds, connections: profile.connections }));
        runs[mode].one.push(await loadMode(ctx, mode, sample, { seconds: profile.scalingSeconds, connections: 1 }));
      }
    }
    const rps = (mode: "none" | "index") => median(runs[mode].sat.map((x) => x.requestsPerSecond));
    const lat = (mode: "none" | "index") => pooled(runs[mode].one);
    out.push({
      sessions: size,
      redisKeys: keys,
      seedSeconds,
      rounds: profile.scalingRounds,
      baselineRequestsPerSecond: rps("none"),
      indexRequestsPerSecond: rps("index"),
      throughputRatio: rps("index") / rps("none"),
      baselineP50: lat("none").p50,
      indexP50: lat("index").p50,
      p50DeltaMs: lat("index").p50 - lat("none").p50,
      baselineP99: lat("none").p99,
      indexP99: lat("index").p99,
      p99DeltaMs: lat("index").p99 - lat("none").p99,
      checkInProcess: inProcess,
      raw: {
        none: { saturated: runs.none.sat.map(withoutSamples), oneAtATime: runs.none.one.map(withoutSamples) },
        index: { saturated: runs.index.sat.map(withoutSamples), oneAtATime: runs.index.one.map(withoutSamples) },
      },
    });
  }
  return out;
}

export type ScalingFigure = Awaited<ReturnType<typeof scaling>>;
