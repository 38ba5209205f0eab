// Where the real services are, a fast and clear failure when one is not there, and a
// database + Redis DB index of this run's own (shared by vitest, e2e and bench runs).
import { randomBytes } from "node:crypto";
import net from "node:net";
import { Redis } from "ioredis";
import pg from "pg";
import { migratePostgres } from "../../src/db/index";

export const PG_ADMIN_URL =
  process.env.TEST_DATABASE_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const REDIS_BASE_URL = (process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379").replace(/\/\d*$/, "");

const HOW_TO_START: Record<string, string> = {
  PostgreSQL: "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
  Redis:
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log',
};

export async function assertReachable(name: "PostgreSQL" | "Redis", url: string): Promise<void> {
  const u = new URL(url);
  const port = Number(u.port || (name === "Redis" ? 6379 : 5432));
  const host = u.hostname || "127.0.0.1";
  const ok = await new Promise<boolean>((resolve) => {
    const socket = net.connect({ host, port, timeout: 2_000 });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
    socket.once("error", () => resolve(false));
  });
  if (!ok) {
    throw new Error(
      `${name} is not reachable at ${host}:${port}. The tests need a real ${name}.\n` +
        `Start it with:\n  ${HOW_TO_START[name]}\nor point the tests elsewhere with ${name === "Redis" ? "TEST_REDIS_URL" : "TEST_DATABASE_ADMIN_URL"}.`,
    );
  }
}

export function newRunId(): string {
  return `${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
}

/** Creates and migrates revocable_<kind>_<runId>; returns its URL and a drop function. */
export async function createRunDatabase(kind: string, runId: string) {
  const dbName = `revocable_${kind}_${runId}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${dbName}`;
  await migratePostgres(url.toString());
  return {
    url: url.toString(),
    drop: async () => {
      const a = new pg.Client({ connectionString: PG_ADMIN_URL });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      await a.end();
    },
  };
}

// Claims live in DB 0 (one small key per claimed index, with a TTL), not in the claimed DB
// itself, so a test that FLUSHDBs its own index cannot drop the claim.
const lockKey = (db: number) => `revocable:test-run-lock:${db}`;

/** Claims a free Redis DB index (15 down to 1) with a lock key, cleans it, returns its URL. */
export async function claimRedisDb(runId: string) {
  const locks = new Redis(`${REDIS_BASE_URL}/0`, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await locks.connect();
  try {
    for (let db = 15; db >= 1; db--) {
      if ((await locks.set(lockKey(db), runId, "EX", 3600, "NX")) !== "OK") continue;
      const r = new Redis(`${REDIS_BASE_URL}/${db}`);
      await r.flushdb();
      r.disconnect();
      return {
        url: `${REDIS_BASE_URL}/${db}`,
        release: async () => {
          const c = new Redis(`${REDIS_BASE_URL}/${db}`);
          await c.flushdb();
          c.disconnect();
          const l = new Redis(`${REDIS_BASE_URL}/0`);
          if ((await l.get(lockKey(db))) === runId) await l.del(lockKey(db));
          l.disconnect();
        },
      };
    }
  } finally {
    locks.disconnect();
  }
  throw new Error("No free Redis DB index (1-15): other test runs hold them all.");
}
