// Operator actions (scripts/sessions.ts): rebuild the index from Postgres, and end every
// session of one user (ASVS 7.4.5).
import { and, asc, eq, gt, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { session as sessionTable, user as userTable } from "@/db/schema";
import { getSessionIndex } from "@/lib/session-index";
import { sessionsEnded } from "./ended";
import { restoreSession, revokeSessions } from "./lifecycle";

/**
 * Rebuilds the index from Postgres: drops this app's keys, then re-adds every live
 * session. While it runs, requests that miss the index fall back to Postgres, so nobody
 * is signed out; a session revoked meanwhile is tombstoned and not re-added.
 */
export async function reindexFromDatabase(batchSize = 1000): Promise<{ sessions: number }> {
  const index = getSessionIndex();
  await index.clear();
  let count = 0;
  let after = "";
  for (;;) {
    const rows = await getDb()
      .select()
      .from(sessionTable)
      .where(and(gt(sessionTable.expiresAt, sql`now()`), gt(sql`${sessionTable.id} collate "C"`, after)))
      .orderBy(asc(sql`${sessionTable.id} collate "C"`))
      .limit(batchSize);
    if (rows.length === 0) break;
    await Promise.all(rows.map((row) => restoreSession(row)));
    count += rows.length;
    after = rows[rows.length - 1]!.id;
  }
  return { sessions: count };
}

/** Ends all sessions of the user with this email; returns how many ended. */
export async function endAllSessionsOf(email: string): Promise<{ userId: string; ended: number } | null> {
  const [u] = await getDb().select({ id: userTable.id }).from(userTable).where(eq(userTable.email, email.toLowerCase()));
  if (!u) return null;
  const ids = await revokeSessions(u.id, { allExcept: null });
  sessionsEnded(u.id, "operator", ids);
  return { userId: u.id, ended: ids.length };
}
