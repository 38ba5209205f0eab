// Once per `npm run test:e2e`: a database and Redis DB of this run's own, a temp outbox,
// a production build, and the app started as `npm start` does (server.ts) on a free port in
// 3200-3299 with that configuration. Everything is stopped and dropped at the end.
//   E2E_SKIP_BUILD=1  reuse the existing .next build (iterating on tests only)
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { freePort, PORT_RANGES } from "../../support/ports";
import { startAppServer, type AppServer } from "./app-server";
import { assertReachable, claimRedisDb, createRunDatabase, newRunId, PG_ADMIN_URL, REDIS_BASE_URL } from "../../support/services";

const ROOT = path.resolve(import.meta.dirname, "../../..");
export const NEXT_BIN = path.join(ROOT, "node_modules/next/dist/bin/next");
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

function elapsed(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)}s`;
}

async function runBuild(logFile: string): Promise<{ code: number | null; output: string }> {
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, [NEXT_BIN, "build"], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const [code] = (await once(child, "exit")) as [number | null];
  await new Promise((r) => log.end(r));
  return { code, output: await readFile(logFile, "utf8").catch(() => "") };
}

async function build(logFile: string): Promise<void> {
  const started = Date.now();
  // Someone else's `next build` in the same tree holds Next's build lock: wait for it.
  for (let attempt = 0; ; attempt++) {
    const { code, output } = await runBuild(logFile);
    if (code === 0) break;
    if (/Another next build process is already running/.test(output) && attempt < 36) {
      if (attempt === 0) console.info("[e2e] another next build is running here; waiting for it");
      await new Promise((r) => setTimeout(r, 5_000));
      continue;
    }
    throw new Error(`next build failed (exit ${code}):\n${output.slice(-4000)}`);
  }
  console.info(`[e2e] next build: ${elapsed(started)}`);
}

export default async function setup(project: TestProject) {
  const started = Date.now();
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is not at ${CHROMIUM_PATH}. Install it with: apt-get update && apt-get install -y chromium`);
  }
  await assertReachable("PostgreSQL", PG_ADMIN_URL);
  await assertReachable("Redis", REDIS_BASE_URL);

  const runId = newRunId();
  const workDir = await mkdtemp(path.join(os.tmpdir(), "revocable-e2e-"));
  const outboxDir = path.join(workDir, "outbox");
  const serverLog = path.join(workDir, "server.log");
  const database = await createRunDatabase("e2e", runId);
  const redis = await claimRedisDb(runId);
  let server: AppServer | undefined;

  const teardown = async () => {
    await server?.stop();
    await redis.release().catch((err: unknown) => console.warn("[e2e] redis release:", (err as Error).message));
    await database.drop().catch((err: unknown) => console.warn("[e2e] database drop:", (err as Error).message));
    if (process.env.E2E_KEEP_LOGS) console.info(`[e2e] logs kept in ${workDir}`);
    else await rm(workDir, { recursive: true, force: true });
  };

  try {
    if (process.env.E2E_SKIP_BUILD && existsSync(path.join(ROOT, ".next/BUILD_ID"))) {
      console.info("[e2e] E2E_SKIP_BUILD: reusing .next");
    } else {
      await build(path.join(workDir, "build.log"));
    }

    const port = await freePort(PORT_RANGES.e2e);
    const baseURL = `http://localhost:${port}`;
    const serverStarted = Date.now();
    const appEnv: Record<string, string> = {
      ...(process.env as Record<string, string>),
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      BETTER_AUTH_SECRET: `e2e-secret-${runId}-0123456789abcdefghijklmnop`,
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      OUTBOX_DIR: outboxDir,
      // Room for the scenarios with several devices (the default limit is 3).
      SESSION_MAX_CONCURRENT: "10",
      RESEND_API_KEY: "",
      // The browser plays the one reverse proxy in front of the app: each device's address
      // is the X-Forwarded-For entry it sends (test/e2e/support/harness.ts).
      TRUST_PROXY: "1",
    };
    server = await startAppServer(baseURL, appEnv, serverLog);
    console.info(`[e2e] server.ts on ${baseURL}: ${elapsed(serverStarted)} (setup total ${elapsed(started)})`);

    project.provide("e2e", { baseURL, outboxDir, databaseUrl: database.url, serverLog, chromiumPath: CHROMIUM_PATH, appEnv });
  } catch (err) {
    await teardown();
    throw err;
  }
  return teardown;
}

declare module "vitest" {
  export interface ProvidedContext {
    /** appEnv: the server's environment, for a test that starts another server like it. */
    e2e: { baseURL: string; outboxDir: string; databaseUrl: string; serverLog: string; chromiumPath: string; appEnv: Record<string, string> };
  }
}
