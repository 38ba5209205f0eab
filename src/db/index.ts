// The database handle: node-postgres when DATABASE_URL is set, otherwise (development
// only) an embedded PGlite in PGLITE_DIR, migrated on first use.
// One instance per process, kept on globalThis so Next's separate bundles
// (proxy, route handlers, pages) and dev hot reloads share it.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import { Pool } from "pg";
import { env } from "@/lib/env";
import { schema } from "./schema";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

interface DbHandle {
  db: Db;
  kind: "postgres" | "pglite";
  ready: Promise<void>;
  close: () => Promise<void>;
}

const MIGRATIONS = path.join(process.cwd(), "drizzle");

// Counts statements sent (tests and benchmarks assert "zero database queries" with it).
let queryCount = 0;
const countingLogger = { logQuery: () => void queryCount++ };
export const getQueryCount = () => queryCount;
const globalForDb = globalThis as unknown as { __revocableDb?: DbHandle };

function openPostgres(url: string): DbHandle {
  const pool = new Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5_000 });
  // An idle client erroring (server restart) must not crash the process.
  pool.on("error", (err) => console.error("[db] idle client error:", err.message));
  const db = drizzlePg({ client: pool, schema, logger: countingLogger }) as unknown as Db;
  return { db, kind: "postgres", ready: Promise.resolve(), close: () => pool.end() };
}

async function openPglite(dir: string): Promise<{ db: Db; close: () => Promise<void> }> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  await mkdir(path.dirname(dir), { recursive: true });
  const client = new PGlite(dir);
  const db = drizzle({ client, schema, logger: countingLogger });
  await migrate(db, { migrationsFolder: MIGRATIONS });
  console.info(`[db] embedded PGlite at ${dir} (development only; set DATABASE_URL for Postgres)`);
  return { db: db as unknown as Db, close: () => client.close() };
}

function open(): DbHandle {
  const { DATABASE_URL, PGLITE_DIR } = env();
  if (DATABASE_URL) return openPostgres(DATABASE_URL);
  // PGlite opens asynchronously; queries before it is ready wait on `ready`
  // through the proxy object below.
  let real: Db | undefined;
  let closeFn: () => Promise<void> = async () => {};
  const ready = openPglite(path.resolve(PGLITE_DIR)).then((h) => {
    real = h.db;
    closeFn = h.close;
  });
  const db = new Proxy({} as Db, {
    get(_t, prop) {
      if (!real) throw new Error("Embedded database is still starting; await dbReady() first");
      const value = Reflect.get(real as object, prop);
      return typeof value === "function" ? value.bind(real) : value;
    },
  });
  return { db, kind: "pglite", ready, close: () => closeFn() };
}

function handle(): DbHandle {
  globalForDb.__revocableDb ??= open();
  return globalForDb.__revocableDb;
}

export function getDb(): Db {
  return handle().db;
}

/** Resolves once the database can take queries (embedded PGlite migrates first). */
export function dbReady(): Promise<void> {
  return handle().ready;
}

export async function closeDb(): Promise<void> {
  const h = globalForDb.__revocableDb;
  globalForDb.__revocableDb = undefined;
  if (h) await h.close();
}

/** Applies drizzle/ migrations to a Postgres URL (used by `npm run db:migrate` and tests). */
export async function migratePostgres(url: string): Promise<void> {
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    await migratePg(drizzlePg({ client: pool }), { migrationsFolder: MIGRATIONS });
  } finally {
    await pool.end();
  }
}

export { schema };
