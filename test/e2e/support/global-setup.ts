// Once per `npm run test:e2e`: a database and Redis DB of this run's own, a temp outbox,
// a production build, and the app started as `npm start` does (server.ts) on a free port in
// 3200-3299 with that configuration. Everything is stopped and dropped at the end.
//   E2E_SKIP_BUILD=1  reuse the existing .next build (iterating on tests only)
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { freePort, PORT_RANGES } from "../../support/ports";
import { startAppServer, type AppServer } from "./app-server";
import { buildOnce } from "./build";
import { assertReachable, claimRedisDb, createRunDatabase, newRunId, PG_ADMIN_URL, REDIS_BASE_URL } from "../../support/services";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

function elapsed(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)}s`;
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
    await buildOnce("e2e", path.join(workDir, "build.log"), "E2E_SKIP_BUILD");

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
