// Once per `npm test`: check both services answer, create and migrate a database of
// our own, and claim a Redis DB index of our own (cleaned), so runs never clobber each
// other or a developer's data. Both are dropped/released at the end.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { migratePostgres } from "../../src/db/index";
import { assertReachable, PG_ADMIN_URL, REDIS_BASE_URL } from "./services";

const LOCK_KEY = "revocable:test-run-lock";

async function claimRedisDb(runId: string): Promise<number> {
  for (let db = 15; db >= 1; db--) {
    const r = new Redis(`${REDIS_BASE_URL.replace(/\/\d*$/, "")}/${db}`, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await r.connect();
    try {
      if ((await r.set(LOCK_KEY, runId, "EX", 3600, "NX")) === "OK") {
        // Ours now: clean everything else in it.
        const keys = (await r.keys("*")).filter((k) => k !== LOCK_KEY);
        if (keys.length) await r.del(...keys);
        return db;
      }
    } finally {
      r.disconnect();
    }
  }
  throw new Error("No free Redis DB index (1-15): other test runs hold them all.");
}

export default async function setup(project: TestProject) {
  await assertReachable("PostgreSQL", PG_ADMIN_URL);
  await assertReachable("Redis", REDIS_BASE_URL);

  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const dbName = `revocable_test_${runId}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  await admin.end();
  const dbUrl = new URL(PG_ADMIN_URL);
  dbUrl.pathname = `/${dbName}`;
  await migratePostgres(dbUrl.toString());

  const redisDb = await claimRedisDb(runId);
  const outbox = await mkdtemp(path.join(os.tmpdir(), "revocable-outbox-"));

  project.provide("testEnv", {
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL: `${REDIS_BASE_URL.replace(/\/\d*$/, "")}/${redisDb}`,
    OUTBOX_DIR: outbox,
  });

  return async () => {
    const r = new Redis(`${REDIS_BASE_URL.replace(/\/\d*$/, "")}/${redisDb}`);
    await r.flushdb();
    r.disconnect();
    const a = new pg.Client({ connectionString: PG_ADMIN_URL });
    await a.connect();
    await a.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await a.end();
    await rm(outbox, { recursive: true, force: true });
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    testEnv: { DATABASE_URL: string; REDIS_URL: string; OUTBOX_DIR: string };
  }
}
