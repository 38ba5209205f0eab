// The per-request check. Hot path: verify the cookie's HMAC (no I/O), then ONE index
// look-up by token hash. Postgres is consulted only when the index has no entry
// (revoked, or the index lost it) or cannot be reached.
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { session as sessionTable } from "@/db/schema";
import { env } from "@/lib/env";
import { getSessionIndex, hashToken, tagOfToken, type ValidityEntry } from "@/lib/session-index";
import { verifySessionCookie } from "./cookie";
import { indexIsSuspect, sessionStillInDatabase } from "./index-health";
import { restoreSession, revokeSessions, unindexSessions, validityOf, type SessionRow } from "./lifecycle";

export type SessionCheck =
  | { ok: true; session: ValidityEntry; source: "index" | "database" }
  | { ok: false; reason: "missing" | "invalid-cookie" | "revoked" | "expired" | "idle" };

export class SessionStoreUnavailable extends Error {
  constructor(cause: unknown) {
    super(`session stores unavailable: ${(cause as Error)?.message ?? cause}`);
    this.name = "SessionStoreUnavailable";
  }
}

function background(what: string, p: Promise<unknown>): void {
  p.catch((err: unknown) => console.warn(`[sessions] ${what} failed: ${(err as Error).message}`));
}

/** Throttled last-active bump: index and Postgres, off the request's critical path. */
function touch(token: string, entry: ValidityEntry, now: number): void {
  const next = { ...entry, lastActiveAt: now };
  background("index touch", getSessionIndex().touch(tagOfToken(token), hashToken(token), next));
  background(
    "db touch",
    getDb().update(sessionTable).set({ updatedAt: new Date(now) }).where(eq(sessionTable.id, entry.sessionId)),
  );
}

function judge(entry: ValidityEntry, now: number): Extract<SessionCheck, { ok: false }> | null {
  if (entry.expiresAt <= now) return { ok: false, reason: "expired" };
  const idle = env().SESSION_IDLE_TIMEOUT * 1000;
  if (idle > 0 && now - entry.lastActiveAt > idle) return { ok: false, reason: "idle" };
  return null;
}

async function loadRow(token: string): Promise<SessionRow | undefined> {
  const [row] = await getDb().select().from(sessionTable).where(eq(sessionTable.token, token)).limit(1);
  return row;
}

async function checkInDatabase(token: string, now: number, indexReachable: boolean): Promise<SessionCheck> {
  let row: SessionRow | undefined;
  try {
    row = await loadRow(token);
  } catch (err) {
    throw new SessionStoreUnavailable(err);
  }
  if (!row) return { ok: false, reason: "revoked" };
  const entry = validityOf(row);
  const verdict = judge(entry, now);
  if (verdict) {
    background("end timed-out session", revokeSessions(row.userId, { sessionIds: [row.id] }));
    return verdict;
  }
  if (indexReachable) background("index restore", restoreSession(row));
  return { ok: true, session: entry, source: "database" };
}

async function confirmInDatabase(entry: ValidityEntry, token: string): Promise<boolean> {
  let present: boolean;
  try {
    present = await sessionStillInDatabase(entry.sessionId);
  } catch (err) {
    throw new SessionStoreUnavailable(err);
  }
  if (!present) {
    background("drop stale index entry", unindexSessions(entry.userId, [{ sessionId: entry.sessionId, tokenHash: hashToken(token) }]));
  }
  return present;
}

/** Checks a raw token (already taken out of a verified cookie). */
export async function checkSessionToken(token: string, now = Date.now()): Promise<SessionCheck> {
  let entry: ValidityEntry | null;
  try {
    entry = await getSessionIndex().lookup(tagOfToken(token), hashToken(token));
  } catch (err) {
    console.warn(`[sessions] index look-up failed, using Postgres: ${(err as Error).message}`);
    return checkInDatabase(token, now, false);
  }
  if (!entry) return checkInDatabase(token, now, true);
  // After an outage the index may still hold sessions revoked meanwhile: confirm.
  if (indexIsSuspect() && !(await confirmInDatabase(entry, token))) return { ok: false, reason: "revoked" };
  const verdict = judge(entry, now);
  if (verdict) {
    if (verdict.reason === "idle") background("end idle session", revokeSessions(entry.userId, { sessionIds: [entry.sessionId] }));
    return verdict;
  }
  if (now - entry.lastActiveAt >= env().SESSION_TOUCH_INTERVAL * 1000) touch(token, entry, now);
  return { ok: true, session: entry, source: "index" };
}

/** Checks a signed session cookie value. Forged or malformed cookies cost no I/O. */
export async function checkSessionCookie(cookieValue: string | undefined | null, now = Date.now()): Promise<SessionCheck> {
  if (!cookieValue) return { ok: false, reason: "missing" };
  const token = verifySessionCookie(cookieValue);
  if (!token) return { ok: false, reason: "invalid-cookie" };
  return checkSessionToken(token, now);
}
