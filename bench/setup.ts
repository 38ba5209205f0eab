// What a run stands on: the production build, a Postgres database and a Redis of the run's own,
// the app's configuration, and the bench server process (bench/server.ts) on that build.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { freePort, PORT_RANGES } from "../test/support/ports";
import { OwnRedis } from "../test/support/redis-server";
import {
  assertReachable,
  claimRedisDb,
  createRunDatabase,
  newRunId,
  PG_ADMIN_URL,
  REDIS_BASE_URL,
} from "../test/support/services";

const ROOT = process.cwd();
const BUILD_ID = path.join(ROOT, ".next", "BUILD_ID");
const BUILD_INPUTS = ["src", "emails", "next.config.ts", "package-lock.json", "postcss.config.mjs", "tsconfig.json"];

async function newestMtime(p: string): Promise<number> {
  let s;
  try {
    s = await stat(p);
  } catch {
    return 0;
  }
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const entry of await readdir(p)) newest = Math.max(newest, await newestMtime(path.join(p, entry)));
  return newest;
}

/** Why a build is needed, or null when .next is a production build newer than its inputs. */
export async function buildNeeded(): Promise<string | null> {
  let built: number;
  try {
    built = (await stat(BUILD_ID)).mtimeMs;
  } catch {
    return "no production build in .next";
  }
  for (const input of BUILD_INPUTS) {
    if ((await newestMtime(path.join(ROOT, input))) > built) return `${input} changed since the last build`;
  }
  return null;
}

export async function buildId(): Promise<string | null> {
  try {
    return (await readFile(BUILD_ID, "utf8")).trim();
  } catch {
    return null;
  }
}

async function runBuild(log: string): Promise<{ code: number; output: string }> {
  const out = createWriteStream(log);
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, "node_modules", "next", "dist", "bin", "next"), "build"], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    child.once("error", reject);
    child.once("exit", (c) => resolve(c ?? 1));
  });
  await new Promise((r) => out.end(r));
  return { code, output: await readFile(log, "utf8").catch(() => "") };
}

/** `next build`, once. Someone else's build in the same tree holds Next's lock on .next:
 *  wait for it (up to 3 min) rather than clobber it. */
export async function build(): Promise<{ seconds: number }> {
  const log = path.join(os.tmpdir(), `revocable-bench-build-${process.pid}.log`);
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    const { code, output } = await runBuild(log);
    if (code === 0) break;
    if (/Another next build process is already running/.test(output) && attempt < 36) {
      if (attempt === 0) process.stdout.write("(another next build is running here; waiting for it) ");
      await new Promise((r) => setTimeout(r, 5_000));
      continue;
    }
    throw new Error(`next build failed (exit ${code}); last lines of ${log}:\n${output.split("\n").slice(-30).join("\n")}`);
  }
  await rm(log, { force: true });
  return { seconds: (Date.now() - started) / 1000 };
}

/** A free port in the bench's range (3300-3399), apart from the e2e run's. */
export function benchPort(): Promise<number> {
  return freePort(PORT_RANGES.bench);
}

export interface RunServices {
  runId: string;
  database: { url: string; drop: () => Promise<void> };
  redis: {
    /** The run's DB: redis://host:port/db */
    url: string;
    /** The server without a DB index (MONITOR sees every DB). */
    base: string;
    /** Private redis-server (SLOWLOG, CLIENT LIST and CONFIG are ours to use), or a claimed DB of the shared one. */
    private: boolean;
    kind: string;
    release: () => Promise<void>;
  };
  outbox: string;
  release(): Promise<void>;
}

/**
 * A database of the run's own (migrated, dropped at the end) and, by default, a private
 * redis-server. Why not a DB index of the shared Redis: the bench loads a million sessions and
 * runs bulk scripts that would stall everyone else's tests; its INFO, SLOWLOG and MONITOR
 * figures would include their traffic. `--shared-redis` still claims a DB of the shared one.
 */
export async function startServices(options: { sharedRedis: boolean }): Promise<RunServices> {
  await assertReachable("PostgreSQL", PG_ADMIN_URL);
  if (options.sharedRedis) await assertReachable("Redis", REDIS_BASE_URL);
  const runId = newRunId();
  const database = await createRunDatabase("bench", runId);
  let redis: RunServices["redis"];
  if (options.sharedRedis) {
    const claimed = await claimRedisDb(runId);
    redis = { url: claimed.url, base: REDIS_BASE_URL, private: false, kind: `shared (${REDIS_BASE_URL}, claimed DB)`, release: claimed.release };
  } else {
    const own = await OwnRedis.start(await benchPort());
    const version = await own.version();
    redis = { url: `${own.url}/0`, base: own.url, private: true, kind: `private redis-server ${version} on port ${own.port}`, release: () => own.stop() };
  }
  const outbox = await mkdtemp(path.join(os.tmpdir(), "revocable-bench-outbox-"));
  return {
    runId,
    database,
    redis,
    outbox,
    async release() {
      await redis.release();
      await database.drop();
      await rm(outbox, { recursive: true, force: true });
    },
  };
}

/** The app's configuration for this run: the bench server and this process (which seeds,
 *  revokes and lists through the app's own modules) share it. */
export function appEnvironment(services: RunServices, port: number): Record<string, string> {
  return {
    NODE_ENV: "production",
    APP_URL: `http://127.0.0.1:${port}`,
    BETTER_AUTH_SECRET: `bench-secret-${randomBytes(24).toString("hex")}`,
    DATABASE_URL: services.database.url,
    REDIS_URL: services.redis.url,
    REDIS_KEY_PREFIX: "rv",
    SESSION_MAX_CONCURRENT: "3",
    OUTBOX_DIR: services.outbox,
    NEXT_TELEMETRY_DISABLED: "1",
    // The load generator plays the one reverse proxy: each simulated client's address is
    // the X-Forwarded-For entry it sends (bench/server.ts stamps it as server.ts does).
    TRUST_PROXY: "1",
    // The live figure measures what one instance holds (up to 10,000 streams and beyond),
    // so the app's own cap on open streams must not be what it finds.
    EVENT_STREAMS_MAX_PER_INSTANCE: "100000",
  };
}

export interface ServerStats {
  /** Statements the server process sent to Postgres so far. */
  pgQueries: number;
  /** CPU time the server process used so far (user + system, µs). */
  cpuUs: number;
  /** Context switches of the server process so far (Linux only). */
  contextSwitches: { voluntary: number; involuntary: number } | null;
  rss: number;
  /** V8 heap in use, and memory held outside it (Buffers, native objects), bytes. */
  heapUsed: number;
  external: number;
  /** A full GC ran just before (stats({ gc: true }) on a server started with --expose-gc). */
  collected: boolean;
  /** Event streams (GET /api/sessions/events) open in the server process. */
  openStreams: number;
  /** The server process's soft limit on open files (null: unknown). */
  openFilesLimit: number | null;
}

export interface BenchServer {
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
  /** `gc`: run a full garbage collection first, so memory figures count only what is reachable. */
  stats(options?: { gc?: boolean }): Promise<ServerStats>;
  output(): string;
}

export async function startServer(port: number, env: Record<string, string>): Promise<BenchServer> {
  // --expose-gc: only so /__bench/stats?gc=1 can collect before a memory reading.
  // BENCH_SERVER_CPU_PROFILE=<dir>: the server writes a V8 CPU profile there when it stops
  // (open it in Chrome DevTools); Node refuses --cpu-prof in NODE_OPTIONS.
  const profileDir = process.env.BENCH_SERVER_CPU_PROFILE;
  const profiling = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(profileDir)}`] : [];
  const child: ChildProcess = spawn(process.execPath, [...profiling, "--expose-gc", "--import", "tsx", path.join(ROOT, "bench", "server.ts")], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  let output = "";
  const append = (b: Buffer) => {
    output += b.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout!.on("data", append);
  child.stderr!.on("data", append);
  const url = `http://127.0.0.1:${port}`;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bench server did not start in 60 s:\n${output}`)), 60_000);
    const onData = () => {
      if (output.includes("BENCH_SERVER_READY")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`bench server exited (${code}) before it was ready:\n${output}`));
    });
  });
  let exited = false;
  child.once("exit", () => (exited = true));
  return {
    url,
    port,
    pid: child.pid!,
    output: () => output,
    async stats(options) {
      const res = await fetch(`${url}/__bench/stats${options?.gc ? "?gc=1" : ""}`);
      return (await res.json()) as ServerStats;
    },
    async stop() {
      process.off("exit", killOnExit);
      if (exited) return;
      const gone = new Promise<void>((r) => child.once("exit", () => r()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await gone;
      clearTimeout(timer);
    },
  };
}
