// Keeping the index honest when part of the system fails: the shared "the index may be
// behind" signal (docs/failure-modes.md).
//
// The signal lives in Postgres, never in one process: the table session_index_backlog
// holds every index change that is owed and not yet known to have landed in Redis:
//  - "remove": written by a trigger in the same transaction as any session DELETE
//    (write-ahead), cleared by whoever then gets the removal into Redis;
//  - "rebuild": a tag whose index may lack a session or lag its user's generation (a
//    sign-in Redis did not take; a revoke-all, written in the revoke's own statement).
// Every instance keeps the set of tags with rows (`suspect`), learnt from a NOTIFY the
// table's insert trigger sends (milliseconds) and re-read from the table every
// INDEX_BACKLOG_INTERVAL_MS (the net if a notification is lost). While a tag is suspect,
// every instance confirms that tag's index answers in Postgres (validate.ts, service.ts),
// whatever its own view of Redis. Every instance also drains the table into Redis on the
// same timer, when its circuit closes, and at start-up: a row outlives the process that
// wrote it.
import { and, asc, eq, gt, inArray, sql, type SQL } from "drizzle-orm";
import { getDb } from "@/db";
import { listenToChannel, type Listener } from "@/db/listen";
import { session as sessionTable, sessionIndexBacklog } from "@/db/schema";
import { env } from "@/lib/env";
import { getSessionIndex, userTag, type SessionRef } from "@/lib/session-index";
import { indexEvents } from "@/lib/session-index/circuit";
import { rebuildTag } from "./completeness";
import { IN_CURRENT_GENERATION } from "./records";

/** The channel the backlog's insert trigger notifies (drizzle/0006). */
const CHANNEL = "rv_index_backlog";

interface HealthState {
  started: boolean;
  /** Tags with backlog rows -> when this process last heard they had one (ms, monotonic). */
  suspect: Map<string, number>;
  /** A '*' notification: every tag is suspect until a re-read that started after it. */
  everythingSince: number | null;
  timer: NodeJS.Timeout | null;
  listener: Listener | null;
  draining: Promise<number> | null;
  refreshing: Promise<void> | null;
  refreshAgain: boolean;
}

const g = globalThis as unknown as { __revocableIndexBacklogWatch?: HealthState };
const state: HealthState = (g.__revocableIndexBacklogWatch ??= {
  started: false,
  suspect: new Map(),
  everythingSince: null,
  timer: null,
  listener: null,
  draining: null,
  refreshing: null,
  refreshAgain: false,
});

const now = () => performance.now();

/** Starts the watch (timer, LISTEN) on first use; start-up calls it explicitly. */
function ensureStarted(): void {
  if (state.started) return;
  state.started = true;
  indexEvents.on("close", () => void drainBacklog().catch(logDrainFailure));
  state.timer = setInterval(tick, env().INDEX_BACKLOG_INTERVAL_MS);
  state.timer.unref();
  listen();
  // With a listener, the first read runs once it listens (nothing can slip between the
  // two); start-up (startIndexHealth) also reads before the first request.
  if (!state.listener) void refreshSuspectTags().catch(() => undefined);
}

function tick(): void {
  refreshSuspectTags()
    .then(() => (state.suspect.size > 0 || state.everythingSince !== null ? drainBacklog() : 0))
    .catch(logDrainFailure);
}

let lastLogged = 0;
/** While Postgres or Redis is away this fails every tick: one line per 10 s is enough. */
function logDrainFailure(err: unknown): void {
  if (Date.now() - lastLogged < 10_000) return;
  lastLogged = Date.now();
  console.warn(`[sessions] index backlog: ${(err as Error).message.split("\n")[0]}`);
}

/** LISTEN for new rows; on (re)connect, re-read what may have been missed. */
function listen(): void {
  state.listener ??= listenToChannel(CHANNEL, onNotification, () => {
    void refreshSuspectTags().catch(() => undefined);
  });
}

/** Payload: tags written ("a,b"), '*' (too many to list), or '-' + tags (cleared: re-read). */
function onNotification(payload: string): void {
  if (payload.startsWith("-")) {
    void refreshSuspectTags().catch(() => undefined);
    return;
  }
  if (payload === "*" || payload === "") {
    state.everythingSince = now();
    void refreshSuspectTags().catch(() => undefined);
    return;
  }
  const at = now();
  for (const tag of payload.split(",")) state.suspect.set(tag, at);
}

/**
 * Re-reads which tags have backlog rows. A tag this process heard of after the read began
 * stays (its row may have committed after the read's snapshot); one heard of before it
 * and absent from the table is cleared.
 */
export function refreshSuspectTags(): Promise<void> {
  if (state.refreshing) {
    state.refreshAgain = true;
    return state.refreshing;
  }
  state.refreshing = (async () => {
    do {
      state.refreshAgain = false;
      const started = now();
      // On the listening connection when there is one: the watch's own, off the pool.
      const rows =
        (await state.listener?.read<{ tag: string }>("select distinct tag from session_index_backlog")) ??
        (await getDb().selectDistinct({ tag: sessionIndexBacklog.tag }).from(sessionIndexBacklog));
      const present = new Set(rows.map((r) => r.tag));
      for (const tag of present) if (!state.suspect.has(tag)) state.suspect.set(tag, started);
      for (const [tag, heardAt] of state.suspect) if (!present.has(tag) && heardAt < started) state.suspect.delete(tag);
      if (state.everythingSince !== null && state.everythingSince < started) state.everythingSince = null;
    } while (state.refreshAgain);
  })().finally(() => (state.refreshing = null));
  return state.refreshing;
}

/** True while the index's answers for this tag must be confirmed in Postgres. The hot
 *  path: a look-up in a small in-memory map, no I/O. */
export function tagIsSuspect(tag: string): boolean {
  ensureStarted();
  return state.everythingSince !== null || (state.suspect.size > 0 && state.suspect.has(tag));
}

/** True while any tag is suspect (readiness, metrics). */
export function indexIsSuspect(): boolean {
  ensureStarted();
  return state.everythingSince !== null || state.suspect.size > 0;
}

/** Tells every instance to re-read the table after rows were cleared (they stop
 *  confirming sooner than their timer would let them). */
async function announceCleared(tags: string[]): Promise<void> {
  await getDb().execute(sql`select pg_notify(${CHANNEL}, ${"-" + tags.join(",").slice(0, 7000)})`);
}

/** The removals of these sessions reached Redis: their write-ahead rows are done. */
export async function removalsLanded(tokenHashes: string[]): Promise<void> {
  if (tokenHashes.length === 0) return;
  await clearRows(and(eq(sessionIndexBacklog.kind, "remove"), inArray(sessionIndexBacklog.tokenHash, tokenHashes))!);
}

/** A backlog row (by id) has been applied. */
export async function backlogRowDone(id: number): Promise<void> {
  await clearRows(eq(sessionIndexBacklog.id, id));
}

/** Deletes applied rows; if any went, this process re-reads and tells the others to. */
async function clearRows(where: SQL): Promise<void> {
  const cleared = await getDb().delete(sessionIndexBacklog).where(where).returning({ tag: sessionIndexBacklog.tag });
  if (cleared.length > 0) await afterClearing([...new Set(cleared.map((r) => r.tag))]);
}

async function afterClearing(tags: string[]): Promise<void> {
  await refreshSuspectTags();
  await announceCleared(tags);
}

/** Removals owed for entries whose rows were already gone (no DELETE wrote them): an index
 *  entry found stale while confirming. Kept until Redis takes them. */
export async function queueFailedRemoval(userId: string, refs: SessionRef[]): Promise<void> {
  ensureStarted();
  if (refs.length === 0) return;
  // The DELETE's trigger usually owes these already: one look-up for all of them.
  const owed = await getDb()
    .select({ tokenHash: sessionIndexBacklog.tokenHash })
    .from(sessionIndexBacklog)
    .where(and(eq(sessionIndexBacklog.kind, "remove"), inArray(sessionIndexBacklog.tokenHash, refs.map((r) => r.tokenHash))));
  const known = new Set(owed.map((r) => r.tokenHash));
  const fresh = refs.filter((r) => !known.has(r.tokenHash));
  if (fresh.length === 0) return;
  const tag = userTag(userId);
  await getDb()
    .insert(sessionIndexBacklog)
    .values(fresh.map((r) => ({ kind: "remove" as const, tag, userId, sessionId: r.sessionId, tokenHash: r.tokenHash })));
}

/** The tag's index may lack a session of this user (a record Redis did not take): every
 *  instance confirms the tag in Postgres until someone rebuilds it. */
export async function queueTagRebuild(userId: string): Promise<void> {
  ensureStarted();
  await getDb().insert(sessionIndexBacklog).values({ kind: "rebuild", tag: userTag(userId), userId });
}

/** Applies the backlog to the index; returns how many rows are left (0 = all applied). */
export function drainBacklog(): Promise<number> {
  ensureStarted();
  state.draining ??= drainOnce().finally(() => (state.draining = null));
  return state.draining;
}

async function drainOnce(): Promise<number> {
  const db = getDb();
  let after = 0;
  const cleared = new Set<string>();
  try {
    for (;;) {
      const batch = await db.select().from(sessionIndexBacklog).where(gt(sessionIndexBacklog.id, after)).orderBy(asc(sessionIndexBacklog.id)).limit(500);
      if (batch.length === 0) return 0;
      after = batch[batch.length - 1]!.id;
      // Removals, one script per user.
      for (const [userId, rows] of groupBy(batch.filter((r) => r.kind === "remove" && r.tokenHash), (r) => r.userId)) {
        try {
          await getSessionIndex().remove(userId, rows.map((r) => ({ sessionId: r.sessionId ?? "", tokenHash: r.tokenHash! })));
        } catch {
          return await countLeft(); // Redis still away from here: leave everything
        }
        await db.delete(sessionIndexBacklog).where(inArray(sessionIndexBacklog.id, rows.map((r) => r.id)));
        for (const r of rows) cleared.add(r.tag);
      }
      // Rebuilds, one per tag, carrying the generations of the users named.
      for (const [tag, rows] of groupBy(batch.filter((r) => r.kind === "rebuild"), (r) => r.tag)) {
        try {
          await rebuildTag(tag, [...new Set(rows.map((r) => r.userId))]);
        } catch {
          return await countLeft();
        }
        await db.delete(sessionIndexBacklog).where(inArray(sessionIndexBacklog.id, rows.map((r) => r.id)));
        cleared.add(tag);
      }
    }
  } finally {
    if (cleared.size > 0) await afterClearing([...cleared]).catch(() => undefined);
  }
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

async function countLeft(): Promise<number> {
  const [row] = await getDb().select({ n: sql<number>`count(*)::int` }).from(sessionIndexBacklog);
  return row?.n ?? 0;
}

/** Start-up: listen, read the suspect tags, and apply a backlog left by any instance. */
export async function startIndexHealth(): Promise<void> {
  ensureStarted();
  await refreshSuspectTags();
  if (state.suspect.size > 0) void drainBacklog().catch(logDrainFailure);
}

/** Confirms an index hit against Postgres (used while its tag is suspect): the row exists
 *  and is valid in its user's current generation. */
export async function sessionStillInDatabase(sessionId: string): Promise<boolean> {
  const [row] = await getDb()
    .select({ id: sessionTable.id })
    .from(sessionTable)
    .where(and(eq(sessionTable.id, sessionId), IN_CURRENT_GENERATION))
    .limit(1);
  return !!row;
}
