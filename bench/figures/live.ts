// Live sign-out: with N streams open (GET /api/sessions/events over HTTP, through the proxy
// and the route handler of the production build), the time from the revoke API's answer to
// `session.ended` arriving on the revoked session's stream, p50/p99/max over up to
// `liveRevocations` revocations (a subset spread evenly over the N streams when N is larger);
// the server's memory per open stream after a full GC; its CPU while the streams sit idle
// (the heartbeat re-checks). On one instance, or across two: streams held by a second server
// process, revocations through the first, so every event crosses Redis pub/sub.
import { readFileSync } from "node:fs";
import { env } from "@/lib/env";
import { SseReader } from "../../test/support/sse";
import type { Ctx } from "../context";
import { percentile } from "../lib/load";
import { seedUsersWithSessions, type SeededSession } from "../lib/seed";
import type { BenchServer } from "../setup";

export interface LiveFigure {
  /** 1: streams and revocations on the same server; 2: streams on a second server, revocations through the first. */
  instances: 1 | 2;
  streams: number;
  revocations: number;
  /** Revocations whose session.ended did not arrive within EVENT_TIMEOUT_MS (want 0). */
  missed: number;
  /** Why, for the first few missed: the stream closed first, or nothing came in time. */
  missedReasons: string[];
  /** ms from the revoke answer to session.ended on the revoked stream */
  p50: number;
  p99: number;
  max: number;
  /**
   * Growth of the stream-holding server per open stream, bytes, each reading taken after a
   * full GC: RSS (the process as the OS sees it: V8 heap, the sockets' kernel-side buffers are
   * NOT in it, Node's and Next's per-request objects, the stream's ReadableStream and its entry
   * in the registry and the bus), V8 heap in use, and external (Buffers, native handles).
   */
  rssBytesPerStream: number;
  heapBytesPerStream: number;
  externalBytesPerStream: number;
  /** The memory readings were taken right after a full GC (false: the server has no --expose-gc). */
  collected: boolean;
  /** CPU of the stream-holding server over `idleSeconds` with every stream open and no event: % of one core (the heartbeat re-checks, one per stream every 20 s). */
  idleCpuPercent: number;
  idleSeconds: number;
  seedSeconds: number;
  openSeconds: number;
  /** Soft limits on open files (each stream is one socket on each side): the server's and this client's. */
  openFilesLimit: { server: number | null; client: number | null };
}

/** Waiting longer than this for one event counts it as missed (the heartbeat would catch it in ≤ 20 s). */
const EVENT_TIMEOUT_MS = 5_000;
/** Streams opened at once: enough to fill 10,000 quickly, few enough not to time out on 2 cores. */
const OPEN_CONCURRENCY = 100;

function clientOpenFilesLimit(): number | null {
  try {
    const soft = /^Max open files\s+(\S+)/m.exec(readFileSync("/proc/self/limits", "utf8"))?.[1];
    return soft === undefined ? null : soft === "unlimited" ? Infinity : Number(soft);
  } catch {
    return null;
  }
}

// Node's fetch (undici) keeps no cap on connections per origin by default (`connections: null`),
// so each open stream gets a socket of its own; the file-descriptor limits are what bound it.
async function openStream(url: string, cookie: string): Promise<SseReader> {
  const res = await fetch(`${url}/api/sessions/events`, { headers: { cookie } });
  if (res.status !== 200) throw new Error(`events stream: ${res.status} ${await res.text()}`);
  // The answer's headers come once the route handler has registered the stream and sent its
  // subscription (openSessionStream); the idle pause below lets the subscriptions settle.
  return new SseReader(res);
}

export interface LiveOptions {
  streams: number;
  /** The server that holds the streams (a second instance, or the run's server). */
  streamsOn: BenchServer;
}

export async function liveFigure(ctx: Ctx, o: LiveOptions): Promise<LiveFigure> {
  const { streams, streamsOn } = o;
  const revokeOn = ctx.server;
  const instances = streamsOn === revokeOn ? 1 : 2;
  const revocations = Math.min(streams, ctx.profile.liveRevocations);
  const margin = 200; // Postgres, Redis, the listening socket, Next's files
  const limits = { server: (await streamsOn.stats()).openFilesLimit, client: clientOpenFilesLimit() };
  for (const [who, limit] of Object.entries(limits)) {
    if (limit !== null && limit < streams + margin) {
      throw new Error(`${who} may open ${limit} files, ${streams} streams need ~${streams + margin}: raise it (ulimit -n) before the run`);
    }
  }

  // The revoked streams: one user with two sessions each (the older revokes the newer, the one
  // streaming). The rest: one session each, streaming and never revoked. Spread evenly.
  const seedStarted = Date.now();
  const prefix = `live-${instances}i-${streams}`;
  const pairsSeeded = await seedUsersWithSessions(ctx.seedIdx, { users: revocations, sessionsPerUser: 2, emailPrefix: `${prefix}-r` });
  const idle = await seedUsersWithSessions(ctx.seedIdx, { users: streams - revocations, sessionsPerUser: 1, emailPrefix: `${prefix}-i` });
  const seedSeconds = (Date.now() - seedStarted) / 1000;
  const targets: SeededSession[] = [];
  const revokedAt: { revoker: SeededSession; stream: number }[] = [];
  for (let j = 0, k = 0; targets.length < streams; ) {
    // Stream i is revoked when it is the j-th of `revocations` evenly spaced positions.
    if (j < revocations && targets.length === Math.floor((j * streams) / revocations)) {
      revokedAt.push({ revoker: pairsSeeded[2 * j]!, stream: targets.length });
      targets.push(pairsSeeded[2 * j + 1]!);
      j++;
    } else targets.push(idle[k++]!);
  }

  // Warm: the first stream loads the route's code into the server; that is not per stream.
  const warm = (await seedUsersWithSessions(ctx.seedIdx, { users: 1, sessionsPerUser: 1, emailPrefix: `${prefix}-warm` }))[0]!;
  await (await openStream(streamsOn.url, warm.cookie)).cancel();
  // Streams closed on this side (the warm one, an earlier size's) are released by the server a
  // moment later: start from none, so the count after opening is exactly this size's.
  const drained = Date.now() + 30_000;
  while ((await streamsOn.stats()).openStreams > 0 && Date.now() < drained) await new Promise((r) => setTimeout(r, 100));
  const before = await streamsOn.stats({ gc: true });

  const opened = Date.now();
  const readers: SseReader[] = [];
  const origin = new URL(env().APP_URL).origin;
  const latencies: number[] = [];
  let missed = 0;
  const missedReasons: string[] = [];
  try {
    for (let i = 0; i < targets.length; i += OPEN_CONCURRENCY) {
      readers.push(...(await Promise.all(targets.slice(i, i + OPEN_CONCURRENCY).map((t) => openStream(streamsOn.url, t.cookie)))));
    }
    const openSeconds = (Date.now() - opened) / 1000;
    const after = await streamsOn.stats({ gc: true });
    if (after.openStreams - before.openStreams !== streams) {
      throw new Error(`the server holds ${after.openStreams - before.openStreams} more streams, ${streams} were opened`);
    }
    const perStream = (a: number, b: number) => Math.round((a - b) / streams);

    const idleSeconds = ctx.profile.liveIdleSeconds;
    const cpuBefore = (await streamsOn.stats()).cpuUs;
    await new Promise((r) => setTimeout(r, idleSeconds * 1000));
    const idleCpuPercent = Number((((await streamsOn.stats()).cpuUs - cpuBefore) / (idleSeconds * 1e6) * 100).toFixed(1));

    for (const { revoker, stream } of revokedAt) {
      const res = await fetch(`${revokeOn.url}/api/sessions/revoke`, {
        method: "POST",
        headers: { cookie: revoker.cookie, origin, "content-type": "application/json" },
        body: JSON.stringify({ sessionId: targets[stream]!.sessionId }),
      });
      const answered = performance.now();
      if (res.status !== 200) throw new Error(`revoke: ${res.status} ${await res.text()}`);
      try {
        const { found } = await readers[stream]!.until("session.ended", EVENT_TIMEOUT_MS);
        latencies.push(Math.max(0, found.at - answered));
      } catch (err) {
        missed++;
        if (missedReasons.length < 5) missedReasons.push(`stream ${stream}: ${(err as Error).message}`);
      }
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const round = (v: number) => Number(v.toFixed(2));
    return {
      instances,
      streams,
      revocations: revokedAt.length,
      missed,
      missedReasons,
      p50: round(percentile(sorted, 0.5)),
      p99: round(percentile(sorted, 0.99)),
      max: round(sorted.at(-1) ?? NaN),
      rssBytesPerStream: perStream(after.rss, before.rss),
      heapBytesPerStream: perStream(after.heapUsed, before.heapUsed),
      externalBytesPerStream: perStream(after.external, before.external),
      collected: before.collected && after.collected,
      idleCpuPercent,
      idleSeconds,
      seedSeconds,
      openSeconds,
      openFilesLimit: limits,
    };
  } finally {
    await Promise.all(readers.map((r) => r.cancel()));
  }
}
