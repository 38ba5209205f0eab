// The one place that writes on behalf of the per-request check. The check (validate.ts)
// only reads and says what it wants repaired; this module runs those repairs off the
// request path, at most one of each kind per session at a time, and lets tests (and a
// graceful shutdown) wait for them with flushRepairs() instead of sleeping.
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { session as sessionTable } from "@/db/schema";
import { getSessionIndex, type SessionRef, type ValidityEntry } from "@/lib/session-index";
import { flushBackground } from "@/lib/background";
import { scheduleTagRebuild } from "./completeness";
import { sessionsEnded } from "./ended";
import { endSessions, restoreSession, unindexSessions, type SessionRow } from "./lifecycle";

export type Repair =
  /** Throttled last-active bump, in the index and in Postgres (updated_at). */
  | { kind: "touch"; userTag: string; tokenHash: string; entry: ValidityEntry }
  /** Postgres holds a live session the index lacks: put it back (never evicts). */
  | { kind: "restore"; row: SessionRow }
  /** The session timed out (idle, or expired per Postgres): end it in both stores. */
  | { kind: "end"; userId: string; sessionId: string; reason: "idle" | "expired" }
  /** The index holds a session Postgres no longer has (revoked during an outage). */
  | { kind: "drop-entry"; userId: string; ref: SessionRef }
  /** The index may have lost this tag's sessions (completeness.ts): rebuild it. */
  | { kind: "rebuild-tag"; tag: string };

const sessionOf = (r: Repair): string =>
  r.kind === "touch"
    ? r.entry.sessionId
    : r.kind === "restore"
      ? r.row.id
      : r.kind === "end"
        ? r.sessionId
        : r.kind === "rebuild-tag"
          ? r.tag
          : r.ref.sessionId;

async function apply(r: Repair): Promise<void> {
  switch (r.kind) {
    case "touch":
      await Promise.all([
        getSessionIndex().touch(r.userTag, r.tokenHash, r.entry),
        getDb().update(sessionTable).set({ updatedAt: new Date(r.entry.lastActiveAt) }).where(eq(sessionTable.id, r.entry.sessionId)),
      ]);
      return;
    case "restore":
      await restoreSession(r.row);
      return;
    case "end":
      sessionsEnded(r.userId, r.reason, await endSessions(r.userId, { sessionIds: [r.sessionId] }, r.reason));
      return;
    case "drop-entry":
      await unindexSessions(r.userId, [r.ref]);
      return;
    case "rebuild-tag":
      scheduleTagRebuild(r.tag);
      return;
  }
}

const globalForRepairs = globalThis as unknown as { __revocableRepairs?: Map<string, Promise<void>> };
/** In-flight repairs by "kind:sessionId": a second identical request joins the first. */
const inFlight: Map<string, Promise<void>> = (globalForRepairs.__revocableRepairs ??= new Map());

/** Starts the repairs without waiting for them; failures are logged, never thrown. */
export function scheduleRepairs(repairs: readonly Repair[]): void {
  for (const r of repairs) {
    const key = `${r.kind}:${sessionOf(r)}`;
    if (inFlight.has(key)) continue;
    const run = apply(r)
      .catch((err: unknown) => console.warn(`[sessions] ${r.kind} repair of session ${sessionOf(r)} failed: ${(err as Error).message}`))
      .finally(() => inFlight.delete(key));
    inFlight.set(key, run);
  }
}

/** Resolves once every repair (index rebuilds included) scheduled so far, and any
 *  scheduled meanwhile, has finished. */
export async function flushRepairs(): Promise<void> {
  do {
    while (inFlight.size > 0) await Promise.all(inFlight.values());
    await flushBackground();
  } while (inFlight.size > 0);
}

/** How many repairs are running (tests assert deduplication with it). */
export function pendingRepairs(): number {
  return inFlight.size;
}
