// The per-request check. Hot path: verify the cookie's HMAC (no I/O), then ONE index
// round trip (the token's validity value, or on a miss whether its tag is complete).
// A live entry is judged, an ended one refused, a miss in a complete tag refused:
// none of them needs Postgres. Postgres is consulted only on a miss in a tag the index
// may have lost (completeness.ts), for a tag the shared backlog says the index may be
// behind on (index-health.ts: a removal or a revoke-all owed, whichever instance owes
// it), or when the index cannot be reached.
//
// It only READS. What it finds worth fixing (a last-active bump, an entry to restore, a
// timed-out session to end, a stale entry to drop) comes back as data in `repairs`;
// the caller hands them to scheduleRepairs() (repairs.ts), which runs them off the
// request path.
import { and, eq } from "drizzle-orm";
import { getDb } from "@/db";
import { session as sessionTable } from "@/db/schema";
import { env } from "@/lib/env";
import { countIndexLookup, countPostgresFallback } from "@/lib/metrics";
import { getSessionIndex, hashToken, tagOfToken, type EndReason, type IndexCheck, type ValidityEntry } from "@/lib/session-index";
import { verifySessionCookie } from "./cookie";
import { sessionStillInDatabase, tagIsSuspect } from "./index-health";
import { IN_CURRENT_GENERATION, validityOf, type SessionRow } from "./records";
import type { Repair } from "./repairs";

export type SessionVerdict =
  // "proxy": a route handler taking the verdict the proxy reached for the same request.
  | { ok: true; session: ValidityEntry; source: "index" | "database" | "proxy" }
  | { ok: false; reason: "missing" | "invalid-cookie" | "revoked" | "expired" | "idle" };

/** The verdict, plus the writes the check would like done (never done by the check). */
export type SessionCheck = SessionVerdict & { repairs: Repair[] };

export class SessionStoreUnavailable extends Error {
  constructor(cause: unknown) {
    super(`session stores unavailable: ${(cause as Error)?.message ?? cause}`);
    this.name = "SessionStoreUnavailable";
  }
}

type Rejection = Extract<SessionVerdict, { ok: false }>;

function judge(entry: ValidityEntry, now: number): Rejection | null {
  if (entry.expiresAt <= now) return { ok: false, reason: "expired" };
  const idle = env().SESSION_IDLE_TIMEOUT * 1000;
  if (idle > 0 && now - entry.lastActiveAt > idle) return { ok: false, reason: "idle" };
  return null;
}

/** The row of a token, if it is valid in its user's current generation (revoke-all). */
async function loadRow(token: string): Promise<SessionRow | undefined> {
  const [row] = await getDb()
    .select()
    .from(sessionTable)
    .where(and(eq(sessionTable.token, token), IN_CURRENT_GENERATION))
    .limit(1);
  return row;
}

async function checkInDatabase(token: string, now: number, indexReachable: boolean): Promise<SessionCheck> {
  countPostgresFallback("check", indexReachable ? "miss" : "unreachable");
  let row: SessionRow | undefined;
  try {
    row = await loadRow(token);
  } catch (err) {
    throw new SessionStoreUnavailable(err);
  }
  if (!row) return { ok: false, reason: "revoked", repairs: [] };
  const entry = validityOf(row);
  const verdict = judge(entry, now);
  if (verdict) return { ...verdict, repairs: [{ kind: "end", userId: row.userId, sessionId: row.id, reason: verdict.reason === "idle" ? "idle" : "expired" }] };
  return { ok: true, session: entry, source: "database", repairs: indexReachable ? [{ kind: "restore", row }] : [] };
}

async function stillInDatabase(entry: ValidityEntry): Promise<boolean> {
  try {
    return await sessionStillInDatabase(entry.sessionId);
  } catch (err) {
    throw new SessionStoreUnavailable(err);
  }
}

/** How an ended session's reason reads as a verdict. */
const endedVerdict = (reason: EndReason): Rejection["reason"] => (reason === "idle" || reason === "expired" ? reason : "revoked");

/** Checks a raw token (already taken out of a verified cookie). */
export async function checkSessionToken(token: string, now = Date.now()): Promise<SessionCheck> {
  let found: IndexCheck;
  const tag = tagOfToken(token);
  const tokenHash = hashToken(token);
  try {
    found = await getSessionIndex().check(tag, tokenHash);
  } catch (err) {
    console.warn(`[sessions] index look-up failed, using Postgres: ${(err as Error).message}`);
    return checkInDatabase(token, now, false);
  }
  countIndexLookup(found.kind === "miss" ? "miss" : "hit");
  // Ended sessions stay ended (Postgres deleted the row first): no database needed.
  if (found.kind === "ended") return { ok: false, reason: endedVerdict(found.reason), repairs: [] };
  if (found.kind === "miss") {
    // A complete tag lacks no live session: refuse without Postgres. While the backlog
    // owes this tag a record, Postgres decides.
    if (found.complete && !tagIsSuspect(tag)) return { ok: false, reason: "revoked", repairs: [] };
    const check = await checkInDatabase(token, now, true);
    return found.complete ? check : { ...check, repairs: [...check.repairs, { kind: "rebuild-tag", tag }] };
  }
  const entry = found.entry;
  // The index may still hold a session revoked where Redis could not be reached (by any
  // instance): confirm while the shared backlog owes this tag anything.
  if (tagIsSuspect(tag) && !(await stillInDatabase(entry))) {
    return {
      ok: false,
      reason: "revoked",
      repairs: [{ kind: "drop-entry", userId: entry.userId, ref: { sessionId: entry.sessionId, tokenHash } }],
    };
  }
  const verdict = judge(entry, now);
  if (verdict) {
    // An expired entry leaves with its TTL; an idle one must be ended in both stores.
    const repairs: Repair[] = verdict.reason === "idle" ? [{ kind: "end", userId: entry.userId, sessionId: entry.sessionId, reason: "idle" }] : [];
    return { ...verdict, repairs };
  }
  const repairs: Repair[] =
    now - entry.lastActiveAt >= env().SESSION_TOUCH_INTERVAL * 1000
      ? [{ kind: "touch", userTag: tag, tokenHash, entry: { ...entry, lastActiveAt: now } }]
      : [];
  return { ok: true, session: entry, source: "index", repairs };
}

/** Checks a signed session cookie value. Forged or malformed cookies cost no I/O. */
export async function checkSessionCookie(cookieValue: string | undefined | null, now = Date.now()): Promise<SessionCheck> {
  if (!cookieValue) return { ok: false, reason: "missing", repairs: [] };
  const token = verifySessionCookie(cookieValue);
  if (!token) return { ok: false, reason: "invalid-cookie", repairs: [] };
  return checkSessionToken(token, now);
}
