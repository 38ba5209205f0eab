// The session lifecycle, written out: how a session enters the index, leaves it, and
// is revoked. Postgres is the truth; every change lands there first, then in the index.
//
//   sign-in  -> better-auth inserts the row -> indexNewSession(): record + enforce limit
//                                                 -> evicted rows deleted from Postgres
//   sign-out / better-auth revoke paths -> row deleted -> unindexSessions()
//   our revoke API  -> revokeSessions(): DELETE ... RETURNING, then one index call
//   every DELETE of a live row also owes its removal in session_index_backlog, in the
//   same transaction (a trigger): cleared once Redis took it, drained by any instance
//   otherwise (index-health.ts)
//   proxy miss      -> row still valid in Postgres -> restoreSession() (never evicts)
//   ended sessions stay in the index as `ended:<reason>` until their expiry (keys.ts);
//   a record into a tag the index may have lost schedules the tag's rebuild (completeness.ts)
import { and, eq, inArray, ne, sql, type SQL } from "drizzle-orm";
import { getDb } from "@/db";
import { session as sessionTable, sessionIndexBacklog, user as userTable } from "@/db/schema";
import { env } from "@/lib/env";
import { getSessionIndex, hashToken, userTag, type EndReason, type SessionRef } from "@/lib/session-index";
import { runInBackground, runOnceInBackground } from "@/lib/background";
import { scheduleTagRebuild } from "./completeness";
import { backlogRowDone, queueFailedRemoval, queueTagRebuild, removalsLanded } from "./index-health";
import { IN_CURRENT_GENERATION, toRecord, type SessionRow } from "./records";

export { IN_CURRENT_GENERATION, toRecord, validityOf, type SessionRow } from "./records";

const refOf = (row: { id: string; token: string }): SessionRef => ({ sessionId: row.id, tokenHash: hashToken(row.token) });

/**
 * A new sign-in: index it and evict the oldest sessions past the limit (both stores). A
 * support session (an admin viewing the app as the user) evicts nothing: support access must
 * not sign the user out of one of their devices.
 */
export async function indexNewSession(row: SessionRow): Promise<{ evicted: EndedRow[] }> {
  const limit = row.impersonatedBy ? 0 : env().SESSION_MAX_CONCURRENT;
  try {
    // better-auth's row lacks the generation the insert trigger gave it.
    const generation = row.generation ?? (await generationOf(row.id));
    const { evicted: byIndex, complete } = await getSessionIndex().record(toRecord({ ...row, generation }), { kind: "new", limit });
    // The index may lack this user's older sessions: rebuild the tag (the limit below is
    // decided by Postgres either way).
    if (!complete) scheduleTagRebuild(userTag(row.userId));
    const evicted = byIndex.length ? await endSessions(row.userId, { sessionIds: byIndex }, "evicted") : [];
    // Ids the index dropped whose rows were already gone still count as evicted.
    for (const id of byIndex) if (!evicted.some((r) => r.id === id)) evicted.push({ id });
    // The index only knows sessions it holds; after an outage Postgres may hold more.
    // Both sides evict by the same order (created_at, id), so the newest N survive.
    if (limit > 0 && (await countInDatabase(row.userId)) > limit) {
      evicted.push(...(await enforceLimitInDatabase(row.userId, limit)));
    }
    return { evicted };
  } catch (err) {
    // Index unreachable: the proxy falls back to Postgres, so enforce the limit there.
    console.warn(`[sessions] index record failed for session ${row.id}: ${(err as Error).message}`);
    // Every instance must now confirm this tag in Postgres (its marker may say complete
    // while lacking this session) until someone rebuilds it.
    await queueTagRebuild(row.userId);
    return { evicted: await enforceLimitInDatabase(row.userId, limit) };
  }
}

async function generationOf(sessionId: string): Promise<number> {
  const [r] = await getDb().select({ g: sessionTable.generation }).from(sessionTable).where(eq(sessionTable.id, sessionId));
  return r?.g ?? 0;
}

/** hashToken() in SQL: base64url(sha256(token)), first 32 chars. */
export const TOKEN_HASH_SQL = sql`substr(translate(encode(sha256(convert_to(${sessionTable.token}, 'UTF8')), 'base64'), '+/', '-_'), 1, 32)`;

async function countInDatabase(userId: string): Promise<number> {
  const [row] = await getDb()
    .select({ n: sql<number>`count(*)::int` })
    .from(sessionTable)
    .where(and(eq(sessionTable.userId, userId), sql`${sessionTable.expiresAt} > now()`, IN_CURRENT_GENERATION));
  return row?.n ?? 0;
}

async function enforceLimitInDatabase(userId: string, limit: number): Promise<EndedRow[]> {
  if (limit <= 0) return [];
  const rows = await getDb()
    .select({ id: sessionTable.id })
    .from(sessionTable)
    .where(and(eq(sessionTable.userId, userId), sql`${sessionTable.expiresAt} > now()`, IN_CURRENT_GENERATION))
    // Same order as the Redis ZSET: created_at, then the member (the token hash, see
    // keys.ts hashToken) compared bytewise, so both stores pick the same victims on ties.
    .orderBy(sql`${sessionTable.createdAt} desc, ${TOKEN_HASH_SQL} collate "C" desc`);
  const victims = rows.slice(limit).map((r) => r.id);
  return victims.length ? endSessions(userId, { sessionIds: victims }, "evicted") : [];
}

/**
 * Rows already deleted from Postgres: drop them from the index. The DELETE already wrote
 * the removal to the backlog (write-ahead): on success it is cleared after the answer; if
 * the index cannot be reached it stays there for any instance to apply, and every instance
 * confirms the tag in Postgres meanwhile. Either way the request does not fail: the
 * session is already revoked in the source of truth.
 */
export async function unindexSessions(
  userId: string,
  refs: SessionRef[],
  sweep?: { keep: string | null },
  reason: EndReason = "revoked",
): Promise<void> {
  if (refs.length === 0 && !sweep) return;
  try {
    await getSessionIndex().remove(userId, refs, sweep, reason);
  } catch (err) {
    console.warn(
      `[sessions] index removal deferred for ${refs.map((r) => r.sessionId).join(",") || userId}: ${(err as Error).message}`,
    );
    // Entries whose rows were gone before this call (no DELETE wrote them) are owed too.
    await queueFailedRemoval(userId, refs);
    return;
  }
  if (refs.length > 0) runInBackground("backlog: removals landed", () => removalsLanded(refs.map((r) => r.tokenHash)));
}

export function unindexSessionRow(row: { id: string; userId: string; token: string }): Promise<void> {
  return unindexSessions(row.userId, [refOf(row)]);
}

/**
 * Revokes sessions of one user: the listed ids, or all but `keep`. Postgres first (the
 * truth), then one index round trip. Ids of other users simply match nothing.
 */
export async function revokeSessions(
  userId: string,
  target: { sessionIds: string[] } | { allExcept: string | null },
  reason: EndReason = "revoked",
): Promise<string[]> {
  return (await endSessions(userId, target, reason)).map((r) => r.id);
}

/** A deleted session as its owner knew it, for the security history (no token). */
export interface EndedRow {
  id: string;
  userAgent?: string | null;
  ipAddress?: string | null;
  location?: string | null;
  /** The administrator behind a support session (impersonation), else null. */
  impersonatedBy?: string | null;
}

/** revokeSessions(), answering with what the deleted rows were (device and place). */
export async function endSessions(
  userId: string,
  target: { sessionIds: string[] } | { allExcept: string | null },
  reason: EndReason = "revoked",
): Promise<EndedRow[]> {
  const where =
    "sessionIds" in target
      ? and(eq(sessionTable.userId, userId), inArray(sessionTable.id, target.sessionIds))
      : target.allExcept
        ? and(eq(sessionTable.userId, userId), ne(sessionTable.id, target.allExcept))
        : eq(sessionTable.userId, userId);
  const rows = await getDb()
    .delete(sessionTable)
    .where(where)
    .returning({
      id: sessionTable.id,
      token: sessionTable.token,
      userAgent: sessionTable.userAgent,
      ipAddress: sessionTable.ipAddress,
      location: sessionTable.location,
      impersonatedBy: sessionTable.impersonatedBy,
    });
  const sweep = "allExcept" in target ? { keep: target.allExcept } : undefined;
  await unindexSessions(userId, rows.map(refOf), sweep, reason);
  return rows.map(({ id, userAgent, ipAddress, location, impersonatedBy }) => ({ id, userAgent, ipAddress, location, impersonatedBy }));
}

/**
 * Ends every session of the user but `keep` in O(1): one statement bumps the user's
 * generation, moves the kept row to it and owes the index a rebuild of the user's tag (the
 * shared backlog: until the index has the new generation, every instance confirms the tag
 * in Postgres); one script does the same in the index, and the owed row is cleared after
 * the answer. Rows left behind in the old generation are invalid already (every read
 * compares) and are deleted off the request path. Returns how many other sessions were
 * ended: as the index listed them, or, when it cannot be reached, as Postgres counts them.
 *
 * Races (see docs/architecture.md, "Revoke-all"): a sign-in whose insert reads the new
 * generation stays valid and listed; one that read the old one is ended with the rest; a
 * restore of a row read before the bump is refused by the index (generation below).
 */
export async function revokeAllSessions(userId: string, keep: string | null): Promise<number> {
  const tag = userTag(userId);
  // node-postgres and PGlite both answer with { rows }. One statement, so the bump and the
  // owed rebuild commit together: an instance dying right after cannot lose the latter.
  const { rows } = (await getDb().execute(sql`
    with u as (
      update ${userTable} set session_generation = session_generation + 1
      where id = ${userId} returning session_generation as g
    ), k as (
      update ${sessionTable} set generation = u.g from u
      where ${sessionTable.id} = ${keep ?? ""} and ${sessionTable.userId} = ${userId}
        and ${sessionTable.generation} >= u.g - 1 and ${sessionTable.expiresAt} > now()
      returning ${sessionTable.token} as token
    ), b as (
      insert into ${sessionIndexBacklog} (kind, tag, user_id) select 'rebuild', ${tag}, ${userId} from u
      returning id
    )
    select u.g, k.token, b.id as owed from u left join k on true left join b on true`)) as unknown as {
    rows: { g: number; token: string | null; owed: number | string | null }[];
  };
  const bumped = rows[0];
  if (!bumped) return 0; // no such user
  const generation = Number(bumped.g);
  const keepRef = keep && bumped.token ? { sessionId: keep, tokenHash: hashToken(bumped.token) } : null;
  try {
    const { dropped } = await getSessionIndex().endAllBut(userId, generation, keepRef);
    if (bumped.owed != null) runInBackground("backlog: revoke-all landed", () => backlogRowDone(Number(bumped.owed)));
    return dropped;
  } catch (err) {
    // The owed rebuild stays: every instance confirms this tag in Postgres (which compares
    // generations) until one of them carries the new generation into the index.
    console.warn(`[sessions] index revoke-all deferred for ${userId}: ${(err as Error).message}`);
    return countEndedByGeneration(userId, generation);
  } finally {
    // Started once the request has its answer, so the clean-up (a delete of every old row,
    // in Postgres and in this process) never competes with it. Keyed by the generation: a
    // run still busy with an older revoke-all's rows must not swallow this one.
    runOnceInBackground(`cleanup:${userId}:${generation}`, () => deleteOldGenerations(userId), "after-answer");
  }
}

/** Sessions a revoke-all to `generation` ended, as Postgres counts them (only when the
 *  index could not say): live rows left in an older generation. */
async function countEndedByGeneration(userId: string, generation: number): Promise<number> {
  const [row] = await getDb()
    .select({ n: sql<number>`count(*)::int` })
    .from(sessionTable)
    .where(and(eq(sessionTable.userId, userId), sql`${sessionTable.generation} < ${generation}`, sql`${sessionTable.expiresAt} > now()`));
  return row?.n ?? 0;
}

/** Rows per clean-up statement: small enough that each commit's WAL is a short write. */
export const CLEANUP_BATCH = 1000;
/** A row someone held (a touch, a revoke of that very row: milliseconds) is tried again
 *  this many times, this far apart; after that it stays (invalid: every read compares) for
 *  the user's next clean-up. */
const CLEANUP_RETRIES = 20;
const CLEANUP_RETRY_MS = 50;

/**
 * Deletes the rows a revoke-all left in older generations, off the request path, in
 * batches of CLEANUP_BATCH rows, each its own short transaction. One DELETE of 100,000
 * rows wrote one burst of WAL that every other commit waited behind (the revoke-all
 * figure grew with n), and held all those row locks until it ended. SKIP LOCKED: a batch
 * never waits in Postgres for a row another clean-up (or anything else) holds, so it never
 * makes anyone wait longer than one batch; skipped rows are tried again shortly. The
 * user's generation is read by each batch, so a revoke-all that lands meanwhile is
 * cleaned up too. Returns how many rows it deleted.
 */
export async function deleteOldGenerations(userId: string): Promise<number> {
  const old = sql`${sessionTable.userId} = ${userId}
    and ${sessionTable.generation} < (select ${userTable.sessionGeneration} from ${userTable} where ${userTable.id} = ${userId})`;
  let deleted = 0;
  for (let retries = 0; ; ) {
    deleted += await deleteSessionRowsInBatches(old, CLEANUP_BATCH);
    // Done, unless some were skipped because someone held them.
    const [left] = await getDb()
      .select({ id: sessionTable.id })
      .from(sessionTable)
      .where(and(eq(sessionTable.userId, userId), sql`not ${IN_CURRENT_GENERATION}`))
      .limit(1);
    if (!left || retries++ >= CLEANUP_RETRIES) return deleted;
    await new Promise((r) => setTimeout(r, CLEANUP_RETRY_MS));
  }
}

/**
 * Deletes the session rows matching `where`, `batch` rows per statement (each its own short
 * transaction), `FOR UPDATE SKIP LOCKED`: never waits for a row someone holds, leaves it
 * instead. Stops at the first batch that comes back short; returns how many it deleted.
 */
export async function deleteSessionRowsInBatches(where: SQL, batch: number): Promise<number> {
  const rows = sql`(select ${sessionTable.id} from ${sessionTable} where ${where} limit ${batch} for update skip locked)`;
  let deleted = 0;
  for (;;) {
    const done = await getDb().delete(sessionTable).where(inArray(sessionTable.id, rows)).returning({ id: sessionTable.id });
    deleted += done.length;
    if (done.length < batch) return deleted;
  }
}

/** Re-adds a session Postgres still holds (index lost or behind). Never evicts. */
export async function restoreSession(row: SessionRow): Promise<boolean> {
  const { recorded } = await getSessionIndex().record(toRecord(row), { kind: "restore" });
  return recorded;
}
