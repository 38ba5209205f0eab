// `npm run bench` (full) · `npm run bench:smoke` or `npm run bench -- --smoke` (CI)
// Options: --no-build (use .next as it is), --build (always rebuild), --shared-redis, --out FILE,
// --only <section>[,<section>] (just those sections: modes, revoke-all, list, memory, sign-in,
// live, scaling, peer-scenarios).
//
// One run, one production build, one server process, one Postgres database and one Redis of the
// run's own: the same request measured under every check mode side by side (interleaved rounds),
// then the micro-figures and the scaling run. What each figure means: docs/benchmarks.md.
import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { closeDb } from "@/db";
import { getRedisClient } from "@/lib/redis/client";
import { PROFILES, TARGETS, type Profile } from "./config";
import { section, timings, type Ctx } from "./context";
import { listFigure } from "./figures/list";
import { liveFigure } from "./figures/live";
import { memoryFigure } from "./figures/memory";
import { compareModes, perRequestCosts, selfCheck } from "./figures/modes";
import { peerScenarios } from "./figures/peer-scenarios";
import { revokeAllFigure, warmScripts } from "./figures/revoke-all";
import { scaling } from "./figures/scaling";
import { signInFigure } from "./figures/sign-in";
import { RedisMonitor } from "./lib/monitor";
import { createPeer } from "./lib/peer";
import { seedingIndex, seedUsersWithSessions } from "./lib/seed";
import { fmt, print, printOnly, type Report } from "./report";
import { appEnvironment, benchPort, build, buildId, buildNeeded, startServer, startServices, type BenchServer } from "./setup";

const args = process.argv.slice(2);
const profile: Profile = PROFILES[args.includes("--smoke") ? "smoke" : "full"];
const outArg = args.indexOf("--out");
const OUT =
  outArg >= 0 && args[outArg + 1]
    ? path.resolve(args[outArg + 1]!)
    : path.join(process.cwd(), "bench", "results", profile.name === "full" ? "latest.json" : "smoke.tmp");
const SECTIONS = ["modes", "revoke-all", "list", "memory", "sign-in", "live", "scaling", "peer-scenarios"] as const;
type Section = (typeof SECTIONS)[number];
const onlyArg = args.indexOf("--only");
const only: Section[] | null =
  onlyArg >= 0 ? (args[onlyArg + 1] ?? "").split(",").filter(Boolean).map((name) => {
    if (!(SECTIONS as readonly string[]).includes(name)) throw new Error(`--only: unknown section "${name}" (one of ${SECTIONS.join(", ")})`);
    return name as Section;
  }) : null;
if (only && only.length === 0) throw new Error(`--only needs a section: ${SECTIONS.join(", ")}`);
/** Whether this run measures `name` (all sections unless --only names some). */
const wants = (name: Section) => !only || only.includes(name);
// A partial run never overwrites the full results unless --out says so (*.tmp: not committed).
const OUT_FILE = only && outArg < 0 ? path.join(path.dirname(OUT), `${profile.name}-only-${only.join("+")}.tmp`) : OUT;

function tryGit(...a: string[]): string | null {
  try {
    return execFileSync("git", a, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return null;
  }
}

async function main() {
  const started = Date.now();
  console.log(`Revocable bench (${profile.name}) — ${os.cpus().length} cores, load average ${os.loadavg().map((v) => v.toFixed(2)).join(" ")}`);

  let buildInfo: { built: boolean; reason: string | null; seconds: number } = { built: false, reason: null, seconds: 0 };
  const reason = args.includes("--build") ? "--build given" : await buildNeeded();
  if (reason && args.includes("--no-build")) throw new Error(`--no-build, but ${reason}`);
  if (reason) {
    const b = await section(`next build (${reason})`, build);
    buildInfo = { built: true, reason, seconds: b.seconds };
  }
  const buildAtStart = await buildId();
  const git = { commit: tryGit("rev-parse", "HEAD"), dirty: (tryGit("status", "--porcelain", "--untracked-files=no") ?? "") !== "" };

  const services = await startServices({ sharedRedis: args.includes("--shared-redis") });
  const port = await benchPort();
  const appEnv = appEnvironment(services, port);
  // This process uses the app's modules too (seeding, revoking, listing): same configuration,
  // except that a Redis stall on a busy machine must show as a slow sample in the in-process
  // figures, not as the app's fallback to Postgres (which does not hold the index-only
  // sessions of the scaling run). The server keeps the app's own timeout.
  Object.assign(process.env, appEnv, { REDIS_COMMAND_TIMEOUT_MS: "5000" });

  const dbIndex = Number(new URL(services.redis.url).pathname.slice(1));
  const monitor = new RedisMonitor(services.redis.base, dbIndex);
  const seedIdx = seedingIndex();
  const admin = services.redis.private ? new Redis(services.redis.url) : null;
  let server: BenchServer | undefined;
  const peer = createPeer();
  const results: Record<string, unknown> = {};
  try {
    // The base sessions and the load sample: for the modes and the scaling run.
    const needsBase = wants("modes") || wants("scaling");
    const base = needsBase
      ? await section(`seed ${fmt.int(profile.baseSessions)} sessions (Postgres + Redis)`, () =>
          seedUsersWithSessions(seedIdx, { users: Math.ceil(profile.baseSessions / 3), sessionsPerUser: 3, emailPrefix: "base" }),
        )
      : [];
    const loadSample = [...base].sort(() => Math.random() - 0.5).slice(0, profile.loadSessions);

    server = await section("start the production build (bench server)", () =>
      startServer(port, { ...appEnv, BENCH_COOKIE_CACHE_MAX_AGE: String(profile.cookieCacheMaxAge) }),
    );
    const ctx: Ctx = { profile, server, monitor, seedIdx, redisUrl: services.redis.url, admin, peer };

    if (wants("modes")) {
      const checked = await section("self-check of the bench paths", () => selfCheck(ctx, loadSample[0]!));
      results.selfCheck = checked;
      const perRequest = await section("per-request Redis commands and SQL (MONITOR, driver count)", () => perRequestCosts(ctx, loadSample));
      results.perRequest = perRequest;
      results.modes = await compareModes(ctx, loadSample, perRequest, base.length, checked.bodyBytes ?? 0);
    }

    await warmScripts(ctx);
    if (wants("revoke-all")) {
      results.revokeAll = await section(
        `revoke-all at ${profile.revokeSizes.map(fmt.int).join(" / ")} sessions, ${profile.revokeTrials} rounds`,
        () => revokeAllFigure(ctx),
      );
    }
    if (wants("list")) results.list = await section(`list ${profile.listSessions} sessions`, () => listFigure(ctx));
    if (wants("memory")) results.memory = await section(`Redis memory per session (${fmt.int(profile.memorySessions)} sessions)`, () => memoryFigure(ctx));
    if (wants("sign-in")) results.signIn = await section("sign-in throughput (limit 3 per user, per-IP rate limit on)", () => signInFigure(ctx));
    if (wants("live")) {
      results.live = await section(`live sign-out: revoke -> session.ended with ${profile.liveStreams.map(fmt.int).join(" / ")} open streams`, async () => {
        const out = [];
        for (const n of profile.liveStreams) out.push(await liveFigure(ctx, n));
        return out;
      });
    }
    if (wants("scaling")) {
      results.scaling = await section(`scaling: our gate at ${profile.scalingSizes.map(fmt.int).join(" / ")} sessions`, () =>
        scaling(ctx, base.length, loadSample),
      );
    }
    // Last: scenario (c) flushes the run's Redis.
    if (wants("peer-scenarios")) {
      results.peerScenarios = await section(
        `correctness side by side with better-auth's Redis mode (${profile.peerSignInRounds} × ${profile.peerSignIns} simultaneous sign-ins, ${profile.peerRevokeAllTrials} revoke-all trials, a flush)`,
        () => peerScenarios(ctx),
      );
    }
    results.buildChangedDuringRun = (await buildId()) !== buildAtStart;
  } catch (err) {
    if (server) console.error(`\nbench server output (tail):\n${server.output().slice(-4000)}`);
    throw err;
  } finally {
    await server?.stop();
    await peer.close();
    admin?.disconnect();
    seedIdx.client.disconnect();
    getRedisClient()?.disconnect();
    await closeDb();
    await services.release();
  }

  const totalSeconds = (Date.now() - started) / 1000;
  const report = {
    profile: profile.name,
    only,
    generatedAt: new Date().toISOString(),
    machine: {
      cores: os.cpus().length,
      cpu: os.cpus()[0]?.model,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      loadAverages: timings.loadAverages,
    },
    git,
    build: { ...buildInfo, id: buildAtStart },
    redis: services.redis.kind,
    targets: TARGETS,
    ...results,
    sectionSeconds: timings.sectionSeconds,
    totalSeconds,
  };
  await mkdir(path.dirname(OUT_FILE), { recursive: true });
  await writeFile(OUT_FILE, `${JSON.stringify(report, null, 2)}\n`);
  if (only) printOnly(report as unknown as Partial<Report>);
  else print(report as unknown as Report);
  console.log(`\nResults: ${path.relative(process.cwd(), OUT_FILE)} · total ${totalSeconds.toFixed(0)} s`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`\nbench failed: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
