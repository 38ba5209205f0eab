// Is Postgres answering? A `select 1` with a short timeout, and what this process last
// learned about it. Readiness asks on every call; the proxy only reads the remembered
// answer (no I/O) and asks again only while Postgres is known to be down.
import { sql } from "drizzle-orm";
import { getDb } from "@/db";

export type PostgresProbe = { ok: true; latencyMs: number } | { ok: false };

interface PostgresHealth {
  down: boolean;
  probing: Promise<PostgresProbe> | null;
}

const g = globalThis as unknown as { __revocablePostgresHealth?: PostgresHealth };
const state: PostgresHealth = (g.__revocablePostgresHealth ??= { down: false, probing: null });

export const PROBE_TIMEOUT_MS = 1_000;

async function probeOnce(timeoutMs: number): Promise<PostgresProbe> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timeout")), timeoutMs);
  });
  try {
    await Promise.race([getDb().execute(sql`select 1`), timeout]);
    state.down = false;
    return { ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch {
    state.down = true;
    return { ok: false };
  } finally {
    clearTimeout(timer);
  }
}

/** Asks Postgres now (concurrent callers share one probe). */
export function probePostgres(timeoutMs = PROBE_TIMEOUT_MS): Promise<PostgresProbe> {
  state.probing ??= probeOnce(timeoutMs).finally(() => (state.probing = null));
  return state.probing;
}

/** A query failed for want of a database: remember it until a probe succeeds. */
export function notePostgresDown(): void {
  state.down = true;
}

/** What this process last learned (no I/O): true after a failed query or probe. */
export function postgresKnownDown(): boolean {
  return state.down;
}

/** True when Postgres is down right now: only probes if it was last seen down. */
export async function postgresStillDown(): Promise<boolean> {
  if (!state.down) return false;
  return !(await probePostgres()).ok;
}
