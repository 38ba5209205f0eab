// The one place a session's end is announced: every path that ends sessions (better-auth's
// deletes, our revoke API, the limit, timeouts, the operator) calls sessionsEnded() with
// its reason. It counts the metric and tells open tabs (session.ended per session, then
// sessions.changed for the user's other devices). Publishing is fire and forget.
import { publishLive } from "@/lib/live/bus";
import type { LiveEvent } from "@/lib/live/events";
import { countSessionsEnded, type SessionEndReason } from "@/lib/metrics";

export function sessionsEnded(
  userId: string,
  reason: SessionEndReason,
  sessionIds: readonly string[],
  /** The session the same browser continues under a new one (see LiveEvent.reissued). */
  reissued?: string,
): void {
  countSessionsEnded(reason, sessionIds.length);
  if (sessionIds.length === 0) return;
  const events: LiveEvent[] = sessionIds.map((sessionId) =>
    sessionId === reissued ? { type: "session.ended", sessionId, reason, reissued: true } : { type: "session.ended", sessionId, reason },
  );
  events.push({ type: "sessions.changed" });
  publishLive(userId, events);
}

/**
 * Revoke-all (`revokeAllSessions`) ends every session of an older generation but the one
 * kept, without listing them: `count` is what the index dropped. Streams re-check their own
 * session (the check compares generations), so a sign-in racing the revoke-all stays.
 */
export function generationEnded(userId: string, reason: SessionEndReason, count: number): void {
  countSessionsEnded(reason, count);
  publishLive(userId, [{ type: "sessions.recheck", reason }, { type: "sessions.changed" }]);
}

/** A new session: the user's other devices refresh their lists. */
export function sessionStarted(userId: string): void {
  publishLive(userId, [{ type: "sessions.changed" }]);
}
