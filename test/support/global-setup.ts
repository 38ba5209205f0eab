// Once per `npm test`: check both services answer, create and migrate a database of
// our own, and claim a Redis DB index of our own (cleaned), so runs never clobber each
// other or a developer's data. Both are dropped/released at the end.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { assertReachable, claimRedisDb, createRunDatabase, newRunId, PG_ADMIN_URL, REDIS_BASE_URL } from "./services";

export default async function setup(project: TestProject) {
  await assertReachable("PostgreSQL", PG_ADMIN_URL);
  await assertReachable("Redis", REDIS_BASE_URL);
  const runId = newRunId();
  const database = await createRunDatabase("test", runId);
  const redis = await claimRedisDb(runId);
  const outbox = await mkdtemp(path.join(os.tmpdir(), "revocable-outbox-"));

  project.provide("testEnv", { DATABASE_URL: database.url, REDIS_URL: redis.url, OUTBOX_DIR: outbox });

  return async () => {
    await redis.release();
    await database.drop();
    await rm(outbox, { recursive: true, force: true });
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    testEnv: { DATABASE_URL: string; REDIS_URL: string; OUTBOX_DIR: string };
  }
}
