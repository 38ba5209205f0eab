// Revoke-all ("sign out all other devices") end to end at 10 ... 100,000 sessions: the HTTP
// request to the production build, and within it (bench/server.ts times it by store) the time
// its Postgres statements, its Redis commands and the rest (Node: Next, the route, the proxy
// check's own work) took. The target: flat in n (max/min of the medians within 2x) and under
// 10 ms at 1,000. Every trial also checks it ended what it says: the answer counts n - 1, a
// sample of the old cookies is refused over HTTP, and the index lists only the kept session.
//
// The operation alone, in the same round: revokeAllSessions() called in this process (the
// call the route makes once its checks pass) for another user of the same size: its
// statement, its script and the Node work between them, no HTTP, no Next.
//
// The baseline, in the same trial: the same route, cookie and client, answered 400 for an
// empty body: the proxy's check, Next and the route's parsing, everything but the revoke.
// Both requests follow the same idle pause (a request after idle costs more than one in a
// busy loop on a small VM), on one kept-alive connection of a plain HTTP client.
import { randomBytes } from "node:crypto";
import { and, eq, ne, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { flushBackground } from "@/lib/background";
import { session as sessionTable, user as userTable } from "@/db/schema";
import { TARGETS } from "../config";
import { ms, sleep, type Ctx } from "../context";
import { median } from "../lib/load";
import { getSessionIndex } from "@/lib/session-index";
import { revokeAllSessions, revokeSessions } from "@/lib/sessions/lifecycle";
import { request } from "../lib/http";
import type { RequestTiming } from "../lib/request-timing";
import { randomId, seedOneUser, seedOneUserBulk, type SeededSession } from "../lib/seed";

/** Idle time before each timed request (the baseline's and the revoke-all's alike). */
const IDLE_BEFORE_MS = 200;

export async function warmScripts(ctx: Ctx) {
  // Every Lua script once in this process (a script's very first call anywhere is EVALSHA,
  // NOSCRIPT, EVAL), so the figures after this one count their own round trips only.
  const s = await seedOneUser(ctx.seedIdx, 2, "warm");
  await getSessionIndex().list(s[0]!.userId);
  await revokeSessions(s[0]!.userId, { allExcept: s[0]!.sessionId });
}

/** POST /api/sessions/revoke with `body`, timed end to end and, on the server, by store. */
async function timedRevokeRequest(ctx: Ctx, current: SeededSession, body: string) {
  const id = randomBytes(8).toString("hex");
  const start = process.hrtime.bigint();
  const res = await request(`${ctx.server.url}/api/sessions/revoke`, {
    method: "POST",
    headers: { cookie: current.cookie, origin: ctx.server.url, "content-type": "application/json", "x-bench-timing": id },
    body,
  });
  const e2eMs = ms(start);
  // The timing is complete once the response has finished on the server's side.
  let timing: RequestTiming | null = null;
  for (let i = 0; i < 50 && !timing; i++) {
    const t = await request(`${ctx.server.url}/__bench/timing/${id}`);
    timing = t.status === 200 ? (JSON.parse(t.body) as RequestTiming) : null;
    if (timing && !timing.done) timing = null;
    if (!timing) await sleep(10);
  }
  if (!timing) throw new Error("revoke-all: the bench server kept no timing for the request");
  return { status: res.status, body: JSON.parse(res.body) as { revoked?: number; error?: { code: string } }, e2eMs, timing };
}

/** The same request as a revoke-all, stopped by the route before it revokes (400). */
async function baselineOverHttp(ctx: Ctx, current: SeededSession) {
  const r = await timedRevokeRequest(ctx, current, "{}");
  if (r.status !== 400 || r.body.error?.code !== "invalid_body") throw new Error(`the baseline answered ${r.status} ${JSON.stringify(r.body)}`);
  return r;
}

async function revokeAllOverHttp(ctx: Ctx, current: SeededSession) {
  const r = await timedRevokeRequest(ctx, current, JSON.stringify({ all: true }));
  if (r.status !== 200) throw new Error(`revoke-all answered ${r.status} ${JSON.stringify(r.body)}`);
  return { revoked: r.body.revoked ?? -1, e2eMs: r.e2eMs, timing: r.timing };
}

/** The revoke itself, as the server timed it: its statement and its script (END_ALL_BUT, the
 *  index's only 4-key script), without the proxy's check or the rest of the request. */
function revokeItselfMs(t: RequestTiming): number {
  const script = t.redisCommands.indexOf("evalsha/4 keys");
  return t.pgMs + (script >= 0 ? (t.redisCommandMs[script] ?? 0) : 0);
}

/** A trivial commit on a row of the figure's own: how long the disk takes to flush a commit
 *  right now (the revoke-all statement waits for the same flush). */
async function commitMs(probeUser: string): Promise<number> {
  const start = process.hrtime.bigint();
  await getDb().update(userTable).set({ updatedAt: new Date() }).where(eq(userTable.id, probeUser));
  return ms(start);
}

/**
 * Waits until the previous trial's clean-up (in the server, off its request path) has deleted
 * its rows, and a commit is back near its quiet time: the bench's own bulk insert of n rows
 * just before leaves the disk writing for a while, and every commit waits behind it (the
 * revoke-all statement's too). Measuring then would time the seeding, not the revoke-all.
 */
async function settle(probeUser: string, quietCommitMs: number, previous: SeededSession | null) {
  const start = process.hrtime.bigint();
  for (let i = 0; previous && i < 600; i++) {
    const [left] = await getDb()
      .select({ id: sessionTable.id })
      .from(sessionTable)
      .where(and(eq(sessionTable.userId, previous.userId), ne(sessionTable.id, previous.sessionId)))
      .limit(1);
    if (!left) break;
    await sleep(50);
  }
  let probe = await commitMs(probeUser);
  for (let i = 0; i < 50 && probe > Math.max(2 * quietCommitMs, quietCommitMs + 2); i++) {
    await sleep(100);
    probe = await commitMs(probeUser);
  }
  return { settleMs: ms(start), commitMs: probe };
}

/** END_ALL_BUT's own execution time inside Redis (SLOWLOG of the private server): the only
 *  EVALSHA with 4 keys. */
async function scriptExecMs(ctx: Ctx): Promise<number | null> {
  if (!ctx.admin) return null;
  const entries = (await ctx.admin.call("SLOWLOG", "GET", "20")) as [number, number, number, string[]][];
  const script = entries.find((e) => String(e[3]?.[0]).toLowerCase() === "evalsha" && e[3]?.[2] === "4");
  return script ? Number(script[2]) / 1000 : null;
}

async function refusedOverHttp(ctx: Ctx, sessions: SeededSession[]): Promise<number> {
  let refused = 0;
  for (const s of sessions) {
    const res = await fetch(`${ctx.server.url}/api/sessions`, { headers: { cookie: s.cookie } });
    await res.arrayBuffer();
    if (res.status === 401) refused++;
  }
  return refused;
}

/** VACUUM (ANALYZE) the session table, then CHECKPOINT (needs a superuser or pg_checkpoint;
 *  without it the trials' commit probes still wait for a quiet disk). */
async function settleDatabase(): Promise<void> {
  await getDb().execute(sql`vacuum (analyze) session`);
  await getDb()
    .execute(sql`checkpoint`)
    .catch((err: unknown) => console.warn(`  (no CHECKPOINT: ${(err as Error).message})`));
}

function summary(values: number[]) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

export async function revokeAllFigure(ctx: Ctx) {
  const { revokeSizes: sizes, revokeTrials: trials } = ctx.profile;
  const probeUser = randomId();
  await getDb().insert(userTable).values({ id: probeUser, name: "probe", email: `probe-${probeUser}@bench.invalid`.toLowerCase() });
  await commitMs(probeUser); // the connection's first statement
  const quiet: number[] = [];
  for (let i = 0; i < 7; i++) quiet.push(await commitMs(probeUser));
  const quietCommitMs = median(quiet);
  // Warm-up: the route's first request loads its code and the scripts.
  const warm = await seedOneUserBulk(ctx.seedIdx.client, 3, "revoke-warm");
  await baselineOverHttp(ctx, warm.current);
  await revokeAllOverHttp(ctx, warm.current);
  const rows = new Map(sizes.map((n) => [n, { operation: [] as number[], baseline: [] as number[], baselineServer: [] as number[], aboveBaseline: [] as number[], itself: [] as number[], e2e: [] as number[], wall: [] as number[], pg: [] as number[], redis: [] as number[], node: [] as number[], exec: [] as number[], commit: [] as number[], settle: [] as number[], refused: 0, checked: 0, listedAfter: [] as number[], revoked: [] as number[], pgStatements: 0, redisCommands: [] as string[] }]));
  await ctx.admin?.config("SET", "slowlog-log-slower-than", "0");
  // Rounds, the order of the sizes rotating, so slow spells of a shared machine spread over
  // all sizes. Every trial's user is seeded first, so no trial runs right after a bulk load
  // of its own (the disk and the CPU stay busy with it for seconds); the trials then run with
  // all of them in both stores, which is what O(1) has to withstand anyway.
  const plan: number[] = [];
  for (let round = 0; round < trials; round++) for (let k = 0; k < sizes.length; k++) plan.push(sizes[(k + round) % sizes.length]!);
  const users: { current: SeededSession; others: SeededSession[] }[] = [];
  const directUsers: { current: SeededSession; others: SeededSession[] }[] = [];
  for (const n of plan) {
    users.push(await seedOneUserBulk(ctx.seedIdx.client, n, `revoke-${n}`));
    directUsers.push(await seedOneUserBulk(ctx.seedIdx.client, n, `revoke-direct-${n}`));
  }
  // The seeding wrote over a million rows: vacuum them and flush them to disk now, so the
  // trials do not run against the autovacuum and the checkpoints that load would start.
  await settleDatabase();
  let previous: SeededSession | null = warm.current;
  for (const [i, n] of plan.entries()) {
    const row = rows.get(n)!;
    const seeded = users[i]!;
    const settled = await settle(probeUser, quietCommitMs, previous);
    await sleep(IDLE_BEFORE_MS);
    const baseline = await baselineOverHttp(ctx, seeded.current);
    await ctx.admin?.call("SLOWLOG", "RESET");
    await sleep(IDLE_BEFORE_MS);
    const { revoked, e2eMs, timing } = await revokeAllOverHttp(ctx, seeded.current);
    if (revoked !== n - 1) throw new Error(`revoke-all of ${n}: answered revoked=${revoked}`);
    row.baseline.push(baseline.e2eMs);
    row.baselineServer.push(baseline.timing.wallMs);
    row.aboveBaseline.push(e2eMs - baseline.e2eMs);
    row.itself.push(revokeItselfMs(timing));
    row.e2e.push(e2eMs);
    row.wall.push(timing.wallMs);
    row.pg.push(timing.pgMs);
    row.redis.push(timing.redisMs);
    row.node.push(timing.nodeMs);
    row.pgStatements = timing.pgStatements;
    row.redisCommands = timing.redisCommands;
    const exec = await scriptExecMs(ctx);
    if (exec !== null) row.exec.push(exec);
    row.commit.push(settled.commitMs);
    row.settle.push(settled.settleMs);
    row.revoked.push(revoked);
    // It ended what it says, at this size: old cookies refused, only the kept one listed.
    row.refused += await refusedOverHttp(ctx, seeded.others);
    row.checked += seeded.others.length;
    row.listedAfter.push((await ctx.seedIdx.list(seeded.current.userId)).length);
    previous = seeded.current;

    // The operation alone, for this size's other user, after the same settling and pause.
    const direct = directUsers[i]!;
    await settle(probeUser, quietCommitMs, previous);
    await sleep(IDLE_BEFORE_MS);
    const start = process.hrtime.bigint();
    const dropped = await revokeAllSessions(direct.current.userId, direct.current.sessionId);
    row.operation.push(ms(start));
    if (dropped !== n - 1) throw new Error(`revoke-all of ${n} in-process: dropped ${dropped}`);
    row.refused += await refusedOverHttp(ctx, direct.others);
    row.checked += direct.others.length;
    row.listedAfter.push((await ctx.seedIdx.list(direct.current.userId)).length);
    previous = direct.current;
  }
  // The last in-process trial's clean-up runs in this process: let it finish (and the disk
  // settle) so the next section's counts of this process's SQL do not include it.
  await flushBackground();
  await settle(probeUser, quietCommitMs, previous);
  await ctx.admin?.config("SET", "slowlog-log-slower-than", "10000");
  const out = sizes.map((n) => {
    const r = rows.get(n)!;
    if (r.refused !== r.checked) throw new Error(`revoke-all of ${n}: ${r.checked - r.refused} old cookies still accepted`);
    if (r.listedAfter.some((x) => x !== 1)) throw new Error(`revoke-all of ${n}: the index listed ${r.listedAfter.join(",")} sessions after`);
    return {
      sessions: n,
      trials: r.e2e.length,
      /** The operation alone: revokeAllSessions() in this process (statement + script + Node between). */
      operationMs: { ...summary(r.operation), trials: r.operation.map((x) => Number(x.toFixed(2))) },
      /** Client-side: the HTTP request over loopback, answer read. */
      endToEndMs: { ...summary(r.e2e), trials: r.e2e.map((x) => Number(x.toFixed(2))) },
      /** The same request stopped before the revoke (400), end to end and on the server. */
      baselineEndToEndMs: summary(r.baseline),
      baselineServerMs: summary(r.baselineServer),
      /** Per trial: revoke-all end to end minus its baseline's. */
      aboveBaselineMs: summary(r.aboveBaseline),
      /** The revoke itself on the server: its Postgres statement + its Redis script. */
      revokeItselfMs: summary(r.itself),
      /** Server-side: arrival to last byte, split by store (bench/server.ts). */
      serverMs: summary(r.wall),
      postgresMs: summary(r.pg),
      redisMs: summary(r.redis),
      nodeMs: summary(r.node),
      /** END_ALL_BUT's execution inside Redis (SLOWLOG, private Redis only). */
      scriptExecMs: r.exec.length ? summary(r.exec) : null,
      postgresStatements: r.pgStatements,
      redisCommands: r.redisCommands,
      /** A trivial commit just before the trial (the disk's flush time then), and the wait for it. */
      commitProbeMs: summary(r.commit),
      settleMs: summary(r.settle),
      oldCookiesRefused: `${r.refused}/${r.checked}`,
      listedAfter: 1,
    };
  });
  const flatness = (medians: number[]) => Math.max(...medians) / Math.min(...medians);
  const at1000 = out.find((r) => r.sessions === 1_000);
  return {
    sizes: out,
    quietCommitMs,
    /** max/min of the operation's medians across the sizes: flat means within 2x. */
    operationFlatness: flatness(out.map((r) => r.operationMs.median)),
    /** The same over HTTP. */
    flatness: flatness(out.map((r) => r.endToEndMs.median)),
    /** The operation at 1,000 sessions, and the whole HTTP request. */
    at1000Ms: at1000?.operationMs.median ?? null,
    at1000OverHttpMs: at1000?.endToEndMs.median ?? null,
    at1000BaselineMs: at1000?.baselineEndToEndMs.median ?? null,
    targets: { flatness: TARGETS.revokeAllFlatness, at1000Ms: TARGETS.revokeAllMs },
  };
}

export type RevokeAllFigure = Awaited<ReturnType<typeof revokeAllFigure>>;
