// The one place a session's end is announced: every path that ends sessions (better-auth's
// deletes, our revoke API, the limit, timeouts, the operator, "this wasn't me") calls
// sessionsEnded() with its reason. It counts the metric, records the security event
// (Recent activity) and tells open tabs (session.ended per session, then sessions.changed
// for the user's other devices). Publishing and the event write are fire and forget.
import { publishLive } from "@/lib/live/bus";
import type { LiveEvent } from "@/lib/live/events";
import { countSessionsEnded, type SessionEndReason } from "@/lib/metrics";
import { deviceLabelOf, deviceLabelOfSession, recordSecurityEvent, supportDetail, type EventDetail } from "@/lib/security/events";

/** An ended session as its owner knew it: the id, or the deleted row's device and place. */
export type EndedSession =
  | string
  | { id: string; userAgent?: string | null; ipAddress?: string | null; location?: string | null; impersonatedBy?: string | null };

/** Who ended the sessions, when it was one of the user's own sessions (its device; left
 *  out, it is read from the session's row after the answer). */
export interface EndedBy {
  sessionId: string;
  userAgent?: string | null;
}

const idOf = (s: EndedSession) => (typeof s === "string" ? s : s.id);

// Sessions of a deleted account have nobody to show their history to (and the rows would
// reference a user that is gone).
const UNRECORDED: ReadonlySet<SessionEndReason> = new Set(["user-deleted"]);

export function sessionsEnded(
  userId: string,
  reason: SessionEndReason,
  sessions: readonly EndedSession[],
  /** The session the same browser continues under a new one (see LiveEvent.reissued). */
  reissued?: string,
  by?: EndedBy,
): void {
  countSessionsEnded(reason, sessions.length);
  if (sessions.length === 0) return;
  if (!UNRECORDED.has(reason)) {
    for (const s of sessions) {
      const id = idOf(s);
      // The changer's own session continues under a new token: not an end to report.
      if (id === reissued) continue;
      const row: Exclude<EndedSession, string> = typeof s === "string" ? { id } : s;
      // A support session's end reads "Support (Ada)'s access as you ended" (its device is the admin's).
      const supportBy = row.impersonatedBy;
      if (supportBy) {
        recordSecurityEvent({ userId, type: "impersonation-ended", sessionId: id, reason, detail: () => supportDetail(supportBy) });
        continue;
      }
      recordSecurityEvent({
        userId,
        type: "session-ended",
        sessionId: id,
        reason,
        userAgent: row.userAgent,
        ipAddress: row.ipAddress,
        location: row.location,
        detail: byDetail(by, id),
      });
    }
  }
  const events: LiveEvent[] = sessions.map((s) => {
    const sessionId = idOf(s);
    return sessionId === reissued ? { type: "session.ended", sessionId, reason, reissued: true } : { type: "session.ended", sessionId, reason };
  });
  events.push({ type: "sessions.changed" });
  publishLive(userId, events);
}

/** Which of the user's sessions acted (its device label as it was): "from this device" or "from Chrome on macOS". */
function byDetail(by: EndedBy | undefined, ended: string | null): EventDetail | (() => Promise<EventDetail>) | undefined {
  if (!by) return undefined;
  if (by.sessionId === ended) return { bySelf: true };
  const bySessionId = by.sessionId;
  if (by.userAgent !== undefined) return { bySessionId, byDevice: deviceLabelOf(by.userAgent) };
  // The acting session is never among those it ended: its row is still there to read.
  return async () => ({ bySessionId, byDevice: await deviceLabelOfSession(bySessionId) });
}

/**
 * Revoke-all (`revokeAllSessions`) ends every session of an older generation but the one
 * kept, without listing them: `count` is what the index dropped. Streams re-check their own
 * session (the check compares generations), so a sign-in racing the revoke-all stays.
 * Recorded as one event ("signed out N other devices").
 */
export function generationEnded(userId: string, reason: SessionEndReason, count: number, by?: EndedBy): void {
  countSessionsEnded(reason, count);
  // Nothing ended (no other device was signed in): nothing to report.
  if (count > 0 && !UNRECORDED.has(reason)) {
    recordSecurityEvent({ userId, type: "sessions-ended", reason, count, detail: byDetail(by, null) });
  }
  publishLive(userId, [{ type: "sessions.recheck", reason }, { type: "sessions.changed" }]);
}

/** A new session: the user's other devices refresh their lists. */
export function sessionStarted(userId: string): void {
  publishLive(userId, [{ type: "sessions.changed" }]);
}
