// Revocable's promise under partial failure: "a revoked session is refused on the next
// request, on every instance". Real processes (the production build as 2 app instances on one
// Postgres database, a Redis of the suite's own behind one TCP relay per instance, or a
// Sentinel group), randomised schedules of faults and operations, and a checker (checker.ts)
// over every answer. See docs/failure-modes.md ("The fault-injection suite").
//   FAULT_SEED=n        first schedule's seed (default: random, printed); schedule i has seed n+i
//   FAULT_SCHEDULES=n   how many schedules (default 32: every fault kind 4 times)
//   FAULT_BUDGET_MS=n   stop starting new schedules after this long (default 6 min)
//   FAULT_SUMMARY=path  where the JSON summary goes (default test-results/fault-summary.json)
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRunDatabase, newRunId } from "../support/services";
import { OwnRedis, waitForPing } from "../support/redis-server";
import { BOUND_MS, checkSafety } from "./checker";
import { Fleet } from "./fleet";
import { TcpRelay } from "./relay";
import { CONVERGENCE_DEADLINE_MS, Runner, type Topology } from "./runner";
import { generate, kindOf, topologyOf, type Schedule } from "./schedule";
import { SentinelGroup } from "./sentinel";
import { Recorder, Workload } from "./workload";

const BASE_SEED = process.env.FAULT_SEED ? Number(process.env.FAULT_SEED) : Math.floor(Math.random() * 1_000_000);
const SCHEDULES = Number(process.env.FAULT_SCHEDULES ?? 32);
const BUDGET_MS = Number(process.env.FAULT_BUDGET_MS ?? 6 * 60_000);
const SUMMARY = process.env.FAULT_SUMMARY ?? path.resolve(import.meta.dirname, "../../test-results/fault-summary.json");
const INSTANCES = 2;

const runId = newRunId();
let database: Awaited<ReturnType<typeof createRunDatabase>>;
let workDir: string;
const topologies: { standalone?: Topology; sentinel?: Topology } = {};

function appEnv(): Record<string, string> {
  const env = { ...(process.env as Record<string, string>) };
  for (const name of ["REDIS_URL", "REDIS_CLUSTER_NODES", "REDIS_SENTINELS", "REDIS_SENTINEL_NAME"]) delete env[name];
  return {
    ...env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    BETTER_AUTH_SECRET: `fault-secret-${runId}-0123456789abcdefghijklmnop`,
    DATABASE_URL: database.url,
    OUTBOX_DIR: path.join(workDir, "outbox"),
    RESEND_API_KEY: "",
    RATE_LIMIT: "off",
    // Room for every session a schedule signs in: no limit evictions muddle the history.
    SESSION_MAX_CONCURRENT: "50",
    GEOIP_DATABASE: "off",
    // Faster than the defaults, so a schedule's faults open and close circuits in seconds.
    REDIS_COMMAND_TIMEOUT_MS: "250",
    REDIS_BREAKER_COOLDOWN_MS: "500",
    INDEX_BACKLOG_INTERVAL_MS: "500",
  };
}

async function topology(kind: "standalone" | "sentinel"): Promise<Topology> {
  const existing = topologies[kind];
  if (existing) return existing;
  // One topology's instances at a time: two cores.
  for (const other of Object.values(topologies)) await stopTopology(other);
  topologies.standalone = topologies.sentinel = undefined;
  const started = Date.now();
  let topo: Topology;
  if (kind === "standalone") {
    const redis = await OwnRedis.start();
    const fleet = await Fleet.start(["a", "b", "c"].slice(0, INSTANCES), appEnv(), workDir, async () => {
      const relay = await TcpRelay.start({ host: "127.0.0.1", port: redis.port });
      return { env: { REDIS_URL: `${relay.url}/0` }, relay };
    });
    topo = { fleet, redis };
  } else {
    const sentinel = await SentinelGroup.start();
    // A session-ending write counts once the replica holds it (Redis WAIT), so a promoted
    // replica cannot bring a session back: how Revocable is meant to run on replicated Redis.
    const env = { ...sentinel.env, REDIS_WAIT_REPLICAS: "1" };
    const fleet = await Fleet.start(["s1", "s2", "s3"].slice(0, INSTANCES), appEnv(), workDir, async () => ({ env, relay: null }));
    topo = { fleet, sentinel };
  }
  console.info(`[fault] ${kind} topology up in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  topologies[kind] = topo;
  return topo;
}

async function stopTopology(topo: Topology | undefined): Promise<void> {
  if (!topo) return;
  await topo.fleet.stop();
  await topo.redis?.stop();
  await topo.sentinel?.stop();
}

/** After a schedule that threw: every link restored, Redis up, every instance running. */
async function recover(topo: Topology): Promise<void> {
  for (const inst of topo.fleet.instances) await inst.relay?.restore();
  if (topo.redis && !(await waitForPing(topo.redis.port).then(() => true, () => false))) await topo.redis.start();
  await topo.sentinel?.heal();
  for (const inst of topo.fleet.instances) await topo.fleet.restart(inst);
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), "revocable-fault-"));
  database = await createRunDatabase("fault", runId);
});

afterAll(async () => {
  for (const t of Object.values(topologies)) await stopTopology(t).catch((e: unknown) => console.warn("[fault] stop:", (e as Error).message));
  await database?.drop().catch((e: unknown) => console.warn("[fault] database drop:", (e as Error).message));
  if (process.env.FAULT_KEEP_LOGS) console.info(`[fault] logs kept in ${workDir}`);
  else if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe("fault injection: revocations under partial failure", () => {
  it("no session is accepted more than the bound after its revocation was acknowledged, and every valid session comes back", async () => {
    const started = Date.now();
    console.info(`[fault] FAULT_SEED=${BASE_SEED} FAULT_SCHEDULES=${SCHEDULES}: seeds ${BASE_SEED}..${BASE_SEED + SCHEDULES - 1}`);
    const rec = new Recorder();
    const work = new Workload(database.url, rec);
    // Standalone schedules first, then the Sentinel ones: each topology is started once.
    const seeds = Array.from({ length: SCHEDULES }, (_, i) => BASE_SEED + i).sort(
      (a, b) => Number(topologyOf(kindOf(a)) === "sentinel") - Number(topologyOf(kindOf(b)) === "sentinel") || a - b,
    );
    const schedules = new Map<number, Schedule>(); // by index in `seeds`
    const faultsByKind: Record<string, number> = {};
    const errors: string[] = [];
    const stuck: string[] = [];
    const stuckSeeds = new Set<number>();
    const logs = new Map<number, string[]>();
    let worstConvergeMs = 0;
    let skipped = 0;
    // The Sentinel schedules run last: the standalone ones may only use their share of the
    // budget, so a slow machine still covers every fault kind.
    const standaloneShare = seeds.filter((s) => topologyOf(kindOf(s)) === "standalone").length / seeds.length;
    for (const [index, seed] of seeds.entries()) {
      const budget = topologyOf(kindOf(seed)) === "standalone" ? BUDGET_MS * standaloneShare : BUDGET_MS;
      if (Date.now() - started > budget) {
        skipped++;
        continue;
      }
      const schedule = generate(seed, INSTANCES);
      schedules.set(index, schedule);
      const topo = await topology(schedule.topology);
      const t = Date.now();
      try {
        const outcome = await new Runner(topo, work).run(index, schedule);
        logs.set(index, outcome.log);
        for (const f of outcome.faults) faultsByKind[f] = (faultsByKind[f] ?? 0) + 1;
        worstConvergeMs = Math.max(worstConvergeMs, outcome.liveness.worstConvergeMs);
        if (outcome.liveness.stuck.length) stuckSeeds.add(seed);
        for (const s of outcome.liveness.stuck) stuck.push(`seed ${seed} (${schedule.kind}): ${s.session} never accepted again on ${s.instance}`);
        console.info(`[fault] #${index} seed ${seed} ${schedule.kind}: ${outcome.operations} operations, ${outcome.requests} requests, ${((Date.now() - t) / 1000).toFixed(1)}s`);
      } catch (err) {
        errors.push(`seed ${seed} (${schedule.kind}): ${(err as Error).stack}`);
        console.error(`[fault] #${index} seed ${seed} ${schedule.kind} failed:`, err);
        await recover(topo);
      }
    }

    if (skipped) console.warn(`[fault] time budget spent: ${skipped} schedule(s) not run`);
    const safety = checkSafety(rec.requests, rec.revocations);
    const operations = Object.fromEntries([...rec.operations].filter(([k]) => k !== "request"));
    const violations = safety.violations.map((v) => {
      const schedule = schedules.get(v.schedule)!;
      return {
        seed: schedule.seed,
        fault: schedule.kind,
        cutStyle: schedule.kind.startsWith("partition") ? schedule.cutStyle : undefined,
        revocation: v.revocation.kind,
        revokedOn: v.revocation.instance,
        acceptedOn: v.request.instance,
        session: v.session,
        lagMs: Math.round(v.lagMs),
        replay: `FAULT_SEED=${schedule.seed} FAULT_SCHEDULES=1 npm run test:fault`,
      };
    });
    // One line per (schedule, revocation kind, instances): the raw list repeats each replay.
    const scenarios = new Map<string, (typeof violations)[number] & { requests: number; worstLagMs: number }>();
    for (const v of violations) {
      const key = `${v.seed}|${v.revocation}|${v.revokedOn}|${v.acceptedOn}`;
      const seen = scenarios.get(key);
      if (seen) {
        seen.requests++;
        seen.worstLagMs = Math.max(seen.worstLagMs, v.lagMs);
      } else scenarios.set(key, { ...v, requests: 1, worstLagMs: v.lagMs });
    }
    const summary = {
      baseSeed: BASE_SEED,
      boundMs: BOUND_MS,
      convergenceDeadlineMs: CONVERGENCE_DEADLINE_MS,
      schedules: schedules.size - errors.length,
      schedulesFailedToRun: errors.length,
      schedulesSkippedForTime: skipped,
      operations: { total: Object.values(operations).reduce((a, b) => a + b, 0), ...operations },
      requests: rec.operations.get("request") ?? 0,
      acknowledgedRevocations: rec.revocations.length,
      faultsByKind,
      violations: violations.length,
      violatingScenarios: [...scenarios.values()].map((s) => ({ ...s, lagMs: undefined })),
      worstLagMs: Math.round(safety.worstLagMs),
      worstConvergeMs: Math.round(worstConvergeMs),
      livenessFailures: stuck,
      outcomes: Object.fromEntries([...rec.outcomes].sort()),
      seconds: Math.round((Date.now() - started) / 1000),
    };
    await mkdir(path.dirname(SUMMARY), { recursive: true });
    await writeFile(SUMMARY, JSON.stringify(summary, null, 2) + "\n");
    console.info(`[fault] summary (${SUMMARY}):\n${JSON.stringify({ ...summary, outcomes: undefined }, null, 2)}`);
    // What the first few failing schedules did, as the runner logged it.
    for (const seed of [...new Set([...violations.map((v) => v.seed), ...stuckSeeds])].slice(0, 8)) {
      const index = seeds.indexOf(seed);
      console.info(`[fault] schedule of seed ${seed} (${schedules.get(index)!.kind}):\n  ${(logs.get(index) ?? []).join("\n  ")}`);
    }

    expect.soft(errors, "schedules that could not run").toEqual([]);
    expect.soft(stuck, "valid sessions never accepted again after the faults healed").toEqual([]);
    expect(violations.length, `revoked sessions accepted more than ${BOUND_MS} ms after the revocation was acknowledged (base seed ${BASE_SEED})`).toBe(0);
  }, BUDGET_MS + 240_000); // the budget, the last schedule started within it, and the topologies' start-up
});
