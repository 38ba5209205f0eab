// What a session event stream carries. Kept apart from the bus so the browser code can
// import the names without pulling in the server side.
import type { SessionEndReason } from "@/lib/metrics";

export type LiveEvent =
  /** This session ended (the stream's own session; others ignore it). */
  | {
      type: "session.ended";
      sessionId: string;
      reason: SessionEndReason;
      /** Replaced by a new session in the same browser (a password change re-issues the changer's). */
      reissued?: true;
    }
  /**
   * Some of the user's sessions ended without a list of ids (revoke-all ends a whole
   * generation in O(1)): every stream of the user re-checks its own session at once. Never
   * sent to the browser as such: a stream whose check fails sends session.ended.
   */
  | { type: "sessions.recheck"; reason: SessionEndReason }
  /** The user's list of sessions changed (a sign-in, a sign-out, a revocation). */
  | { type: "sessions.changed" };

export const LIVE_EVENT_TYPES = ["session.ended", "sessions.changed"] as const;
