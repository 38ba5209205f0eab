// Deletes session rows that expired more than a day ago. Every check already refuses an
// expired session (its index value expires with it, Postgres compares expires_at), but
// nothing removed its row: the table grew with every sign-in ever made. Runs hourly in each
// instance, in batches of EXPIRED_BATCH rows (each its own short transaction, on the
// expires_at index) with SKIP LOCKED, so it never waits for a row someone holds and
// instances running at once split the work. The grace keeps a row for a day so a cookie
// presented just after its expiry is still answered "expired", not "revoked".
import { sql } from "drizzle-orm";
import { session as sessionTable } from "@/db/schema";
import { runOnceInBackground } from "@/lib/background";
import { deleteSessionRowsInBatches } from "./lifecycle";

export const EXPIRED_ROW_GRACE_MS = 24 * 60 * 60 * 1000;
export const EXPIRED_BATCH = 1000;
const EVERY_MS = 60 * 60 * 1000;
/** The first run waits this long after start-up, off the start-up's own work. */
const FIRST_RUN_DELAY_MS = 60 * 1000;

/** Deletes the rows that expired before `now - EXPIRED_ROW_GRACE_MS`; returns how many. */
export async function deleteExpiredSessions(now = new Date(), batch = EXPIRED_BATCH): Promise<number> {
  const cutoff = new Date(now.getTime() - EXPIRED_ROW_GRACE_MS).toISOString();
  return deleteSessionRowsInBatches(sql`${sessionTable.expiresAt} < ${cutoff}::timestamptz`, batch);
}

const g = globalThis as unknown as { __revocableExpiredRows?: ReturnType<typeof setInterval> };

/** Starts the hourly run (once per process; the timers never keep the process alive). */
export function startExpiredRowCleanup(): void {
  if (g.__revocableExpiredRows) return;
  const run = () =>
    runOnceInBackground("expired-session-rows", async () => {
      const deleted = await deleteExpiredSessions();
      if (deleted > 0) console.info(`[sessions] deleted ${deleted} session rows expired over a day ago`);
    });
  g.__revocableExpiredRows = setInterval(run, EVERY_MS);
  g.__revocableExpiredRows.unref();
  setTimeout(run, FIRST_RUN_DELAY_MS).unref();
}
