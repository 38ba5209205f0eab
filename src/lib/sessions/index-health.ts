// Keeping the index honest across Redis outages.
//
// A removal that cannot reach Redis is written to session_index_backlog (Postgres) and
// this process turns "suspect": until the backlog is drained, every index hit is
// confirmed against Postgres, so a session revoked during the outage cannot come back
// through a stale Redis entry. The backlog drains when the circuit closes and on a
// timer (so another instance's leftovers are applied too). A record that could not reach
// Redis queues its tag for a rebuild the same way (in this process only).
import { and, eq, inArray } from "drizzle-orm";
import { getDb } from "@/db";
import { session as sessionTable, sessionIndexBacklog } from "@/db/schema";
import { env } from "@/lib/env";
import { getSessionIndex, type SessionRef } from "@/lib/session-index";
import { indexEvents } from "@/lib/session-index/circuit";
import { rebuildTag } from "./completeness";
import { IN_CURRENT_GENERATION } from "./records";

interface HealthState {
  suspect: boolean;
  wired: boolean;
  draining: Promise<number> | null;
  timer: NodeJS.Timeout | null;
  /** Tags whose record failed: the index lacks a session, so they must be rebuilt. */
  pendingTags?: Set<string>;
}

const g = globalThis as unknown as { __revocableIndexHealth?: HealthState };
const state: HealthState = (g.__revocableIndexHealth ??= { suspect: false, wired: false, draining: null, timer: null });
const pendingTags: Set<string> = (state.pendingTags ??= new Set());

function wire(): void {
  if (state.wired) return;
  state.wired = true;
  indexEvents.on("open", () => (state.suspect = true));
  indexEvents.on("close", () => void drainBacklog());
}

/** True while index hits must be confirmed against Postgres. */
export function indexIsSuspect(): boolean {
  wire();
  return state.suspect;
}

/** Removals that failed: keep them in Postgres until Redis takes them. */
export async function queueFailedRemoval(userId: string, refs: SessionRef[]): Promise<void> {
  wire();
  state.suspect = true;
  ensureDrainTimer();
  if (refs.length === 0) return;
  await getDb()
    .insert(sessionIndexBacklog)
    .values(refs.map((r) => ({ userId, sessionId: r.sessionId, tokenHash: r.tokenHash })))
    .onConflictDoNothing();
}

/** A record that failed: the tag's marker may still say "complete" while the index lacks
 *  the session, so stay suspect (misses go to Postgres) until the tag is rebuilt. */
export function queueTagRebuild(tag: string): void {
  wire();
  state.suspect = true;
  pendingTags.add(tag);
  ensureDrainTimer();
}

/** Applies queued removals and tag rebuilds; returns how many are left (0 clears "suspect"). */
export function drainBacklog(): Promise<number> {
  wire();
  state.draining ??= drainOnce().finally(() => (state.draining = null));
  return state.draining;
}

async function drainOnce(): Promise<number> {
  const db = getDb();
  for (;;) {
    const batch = await db.select().from(sessionIndexBacklog).limit(500);
    if (batch.length === 0) break;
    const byUser = new Map<string, SessionRef[]>();
    for (const r of batch) byUser.set(r.userId, [...(byUser.get(r.userId) ?? []), { sessionId: r.sessionId, tokenHash: r.tokenHash }]);
    try {
      for (const [userId, refs] of byUser) await getSessionIndex().remove(userId, refs);
    } catch {
      return batch.length; // Redis still away: keep everything, stay suspect
    }
    await db.delete(sessionIndexBacklog).where(inArray(sessionIndexBacklog.tokenHash, batch.map((r) => r.tokenHash)));
  }
  for (const tag of [...pendingTags]) {
    try {
      await rebuildTag(tag);
      pendingTags.delete(tag);
    } catch {
      return pendingTags.size; // Redis still away
    }
  }
  state.suspect = false;
  return 0;
}

function ensureDrainTimer(): void {
  if (state.timer) return;
  state.timer = setInterval(() => {
    drainBacklog()
      .then((left) => {
        if (left === 0 && !state.suspect && state.timer) {
          clearInterval(state.timer);
          state.timer = null;
        }
      })
      .catch((err: unknown) => console.warn(`[sessions] backlog drain failed: ${(err as Error).message}`));
  }, env().INDEX_BACKLOG_INTERVAL_MS);
  state.timer.unref();
}

/** Start-up: pick up a backlog left by this or another instance. */
export async function startIndexHealth(): Promise<void> {
  wire();
  const [pending] = await getDb().select({ t: sessionIndexBacklog.tokenHash }).from(sessionIndexBacklog).limit(1);
  if (pending) {
    state.suspect = true;
    ensureDrainTimer();
    void drainBacklog();
  }
}

/** Confirms an index hit against Postgres (used while suspect). */
export async function sessionStillInDatabase(sessionId: string): Promise<boolean> {
  const [row] = await getDb()
    .select({ id: sessionTable.id })
    .from(sessionTable)
    .where(and(eq(sessionTable.id, sessionId), IN_CURRENT_GENERATION))
    .limit(1);
  return !!row;
}
