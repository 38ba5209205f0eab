// `npm run bench` (full) · `npm run bench:smoke` or `npm run bench -- --smoke` (CI)
// Options: --no-build (use .next as it is), --build (always rebuild), --shared-redis, --out FILE,
//          --only SECTION[,SECTION] (run those sections and merge them into the results file:
//          modes, revokeAll, list, memory, location, bearer, devicePoll, signIn, live, scaling, peerScenarios).
//
// One run, one production build, one server process, one Postgres database and one Redis of the
// run's own: the same request measured under every check mode side by side (interleaved rounds),
// then the micro-figures and the scaling run. What each figure means: docs/benchmarks.md.
import { execFileSync } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { closeDb } from "@/db";
import { getRedisClient } from "@/lib/redis/client";
import { PROFILES, TARGETS, type Profile } from "./config";
import { section, timings, type Ctx } from "./context";
import { listFigure } from "./figures/list";
import { liveFigure, type LiveFigure } from "./figures/live";
import { bearerFigure } from "./figures/bearer";
import { devicePollFigure } from "./figures/device-poll";
import { locationFigure } from "./figures/location";
import { memoryFigure } from "./figures/memory";
import { compareModes, perRequestCosts, selfCheck } from "./figures/modes";
import { peerScenarios } from "./figures/peer-scenarios";
import { revokeAllFigure, warmScripts } from "./figures/revoke-all";
import { scaling } from "./figures/scaling";
import { signInFigure } from "./figures/sign-in";
import { RedisMonitor } from "./lib/monitor";
import { createPeer } from "./lib/peer";
import { seedingIndex, seedUsersWithSessions } from "./lib/seed";
import { fmt, print, type Report } from "./report";
import { appEnvironment, benchPort, build, buildId, buildNeeded, startServer, startServices, type BenchServer } from "./setup";

const args = process.argv.slice(2);
const profile: Profile = PROFILES[args.includes("--smoke") ? "smoke" : "full"];
/** The sections a run can be limited to with --only (results keys). */
const SECTIONS = ["modes", "revokeAll", "list", "memory", "location", "bearer", "devicePoll", "signIn", "live", "scaling", "peerScenarios"] as const;
type SectionName = (typeof SECTIONS)[number];
const onlyArg = args.indexOf("--only");
const only = onlyArg >= 0 ? (args[onlyArg + 1] ?? "").split(",").filter(Boolean) : null;
for (const name of only ?? []) {
  if (!(SECTIONS as readonly string[]).includes(name)) throw new Error(`--only ${name}: not a section (${SECTIONS.join(", ")})`);
}
const runs = (name: SectionName) => !only || only.includes(name);
const outArg = args.indexOf("--out");
const OUT =
  outArg >= 0 && args[outArg + 1]
    ? path.resolve(args[outArg + 1]!)
    : path.join(process.cwd(), "bench", "results", profile.name === "full" ? "latest.json" : "smoke.tmp");

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
    // The modes and the scaling run measure against the base population; other sections seed their own.
    const base =
      runs("modes") || runs("scaling")
        ? await section(`seed ${fmt.int(profile.baseSessions)} sessions (Postgres + Redis)`, () =>
            seedUsersWithSessions(seedIdx, { users: Math.ceil(profile.baseSessions / 3), sessionsPerUser: 3, emailPrefix: "base" }),
          )
        : [];
    const loadSample = [...base].sort(() => Math.random() - 0.5).slice(0, profile.loadSessions);

    server = await section("start the production build (bench server)", () =>
      startServer(port, { ...appEnv, BENCH_COOKIE_CACHE_MAX_AGE: String(profile.cookieCacheMaxAge) }),
    );
    const ctx: Ctx = { profile, server, monitor, seedIdx, redisUrl: services.redis.url, admin, peer };

    if (runs("modes")) {
      const checked = await section("self-check of the bench paths", () => selfCheck(ctx, loadSample[0]!));
      results.selfCheck = checked;
      const perRequest = await section("per-request Redis commands and SQL (MONITOR, driver count)", () => perRequestCosts(ctx, loadSample));
      results.perRequest = perRequest;
      results.modes = await compareModes(ctx, loadSample, perRequest, base.length, checked.bodyBytes ?? 0);
    }

    await warmScripts(ctx);
    if (runs("revokeAll")) {
      results.revokeAll = await section(
        `revoke-all at ${profile.revokeSizes.map(fmt.int).join(" / ")} sessions, ${profile.revokeTrials} rounds`,
        () => revokeAllFigure(ctx),
      );
    }
    if (runs("list")) results.list = await section(`list ${profile.listSessions} sessions`, () => listFigure(ctx));
    if (runs("memory")) results.memory = await section(`Redis memory per session (${fmt.int(profile.memorySessions)} sessions)`, () => memoryFigure(ctx));
    if (runs("location")) {
      results.location = await section(`location lookup at sign-in (${fmt.int(profile.locationLookups)} distinct addresses)`, () => locationFigure(ctx));
    }
    if (runs("bearer")) results.bearer = await section("bearer check next to the cookie check (proxy gate, in process)", () => bearerFigure(ctx));
    if (runs("devicePoll")) results.devicePoll = await section("device-code poll (pending, slow_down)", () => devicePollFigure(ctx));
    if (runs("signIn")) results.signIn = await section("sign-in throughput (limit 3 per user, per-IP rate limit on)", () => signInFigure(ctx));
    if (runs("live")) results.live = await liveSection(ctx, appEnv);
    if (runs("scaling")) {
      results.scaling = await section(`scaling: our gate at ${profile.scalingSizes.map(fmt.int).join(" / ")} sessions`, () =>
        scaling(ctx, base.length, loadSample),
      );
    }
    // Last: scenario (c) flushes the run's Redis.
    if (runs("peerScenarios")) results.peerScenarios = await section(
      `correctness side by side with better-auth's Redis mode (${profile.peerSignInRounds} × ${profile.peerSignIns} simultaneous sign-ins, ${profile.peerRevokeAllTrials} revoke-all trials, a flush)`,
      () => peerScenarios(ctx),
    );
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
  let report: Record<string, unknown> = {
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
  if (only) report = await mergeIntoPrevious(report, only);
  await mkdir(path.dirname(OUT), { recursive: true });
  await writeFile(OUT, `${JSON.stringify(report, null, 2)}\n`);
  print(report as unknown as Report, only);
  console.log(`\nResults: ${path.relative(process.cwd(), OUT)} · total ${totalSeconds.toFixed(0)} s`);
}

/** Live sign-out on one instance, then across two: a second bench server on the same
 *  Postgres database and Redis holds the streams, revocations go through the first. */
async function liveSection(ctx: Ctx, appEnv: Record<string, string>) {
  const { liveStreams, liveTwoInstanceStreams, liveRevocations } = ctx.profile;
  const sizes = [...liveStreams.map((n) => `${fmt.int(n)}`), ...liveTwoInstanceStreams.map((n) => `${fmt.int(n)} on 2 instances`)];
  return section(`live sign-out: revoke -> session.ended (≤ ${fmt.int(liveRevocations)} revocations each) with ${sizes.join(" / ")} open streams`, async () => {
    const out: LiveFigure[] = [];
    // Each figure printed as it is done: a long run that fails later keeps what it measured.
    const done = (f: LiveFigure) => {
      out.push(f);
      console.log(`\n  live figure: ${JSON.stringify(f)}`);
    };
    for (const n of liveStreams) done(await liveFigure(ctx, { streams: n, streamsOn: ctx.server }));
    if (liveTwoInstanceStreams.length) {
      const second = await startServer(await benchPort(), appEnv);
      try {
        for (const n of liveTwoInstanceStreams) done(await liveFigure(ctx, { streams: n, streamsOn: second }));
      } catch (err) {
        console.error(`\nsecond bench server output (tail):\n${second.output().slice(-4000)}`);
        throw err;
      } finally {
        await second.stop();
      }
    }
    return out;
  });
}

/** --only: the sections run now replace theirs in the results file; the others stay as they were. */
async function mergeIntoPrevious(report: Record<string, unknown>, sections: string[]): Promise<Record<string, unknown>> {
  let previous: Record<string, unknown>;
  try {
    previous = JSON.parse(await readFile(OUT, "utf8")) as Record<string, unknown>;
  } catch {
    return { ...report, onlySections: sections };
  }
  const merged: Record<string, unknown> = { ...previous };
  for (const name of sections) merged[name] = report[name];
  if (sections.includes("modes")) Object.assign(merged, { selfCheck: report.selfCheck, perRequest: report.perRequest });
  merged.sectionSeconds = { ...(previous.sectionSeconds as object), ...(report.sectionSeconds as object) };
  // When each section was last measured, and on which commit: the file mixes runs.
  const rerun = (previous.sectionsRerun as Record<string, unknown> | undefined) ?? {};
  for (const name of sections) rerun[name] = { generatedAt: report.generatedAt, git: report.git, machine: report.machine, build: report.build };
  merged.sectionsRerun = rerun;
  return merged;
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`\nbench failed: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
