// The checker: judges a recorded history of requests and acknowledged revocations against
// Revocable's promise, "a revoked session is refused on the next request, on every instance".
//
// Safety: a request that STARTED more than BOUND_MS after a revocation of its session was
// acknowledged (the 200 arrived at the client) must not be accepted (200). Requests that
// started earlier may still be accepted: they were already in flight, or raced the revocation.
// Liveness: after the faults heal, every session never revoked (nor possibly revoked by an
// operation whose answer was lost) is accepted again on every instance, within a deadline:
// no valid session is logged out for good.
//
// Pure functions over plain records, so the rule itself is tested on made-up histories
// (checker.test.ts) and cannot pass by construction.

/**
 * B: how long after a revocation was acknowledged a request may still be accepted.
 * Covers a request already in flight when the answer arrived and the propagation the app
 * allows itself between instances. 1 s, with the suite's knobs (backlog interval 500 ms,
 * breaker cooldown 500 ms); the summary reports the worst lag seen, so it can be tightened.
 */
export const BOUND_MS = 1_000;

export interface AnsweredRequest {
  schedule: number;
  instance: string;
  session: string;
  /** performance.now() on the client: when the request was sent and when its answer arrived. */
  start: number;
  end: number;
  status: number;
}

export type RevocationKind = "revoke-one" | "revoke-all" | "sign-out" | "password-change";

export interface AcknowledgedRevocation {
  schedule: number;
  kind: RevocationKind;
  instance: string;
  /** The session that asked. */
  actor: string;
  /** When the 200 arrived. */
  at: number;
  /** The sessions it ended. */
  ended: string[];
}

export interface Violation {
  schedule: number;
  session: string;
  revocation: AcknowledgedRevocation;
  request: AnsweredRequest;
  /** request.start - revocation.at */
  lagMs: number;
}

export interface SafetyResult {
  violations: Violation[];
  /** The latest start of an accepted request after its session's revocation was acknowledged
   *  (0 when none was accepted after the acknowledgement). */
  worstLagMs: number;
}

export function checkSafety(requests: AnsweredRequest[], revocations: AcknowledgedRevocation[], boundMs = BOUND_MS): SafetyResult {
  // The earliest acknowledgement per session is the one that counts.
  const firstEnd = new Map<string, AcknowledgedRevocation>();
  for (const r of revocations) {
    for (const s of r.ended) {
      const seen = firstEnd.get(s);
      if (!seen || r.at < seen.at) firstEnd.set(s, r);
    }
  }
  const violations: Violation[] = [];
  let worstLagMs = 0;
  for (const req of requests) {
    if (req.status !== 200) continue;
    const revocation = firstEnd.get(req.session);
    if (!revocation) continue;
    const lagMs = req.start - revocation.at;
    if (lagMs <= 0) continue;
    worstLagMs = Math.max(worstLagMs, lagMs);
    if (lagMs > boundMs) violations.push({ schedule: req.schedule, session: req.session, revocation, request: req, lagMs });
  }
  return { violations, worstLagMs };
}

export interface LivenessResult {
  /** [session, instance] pairs never accepted in [healedAt, healedAt + deadlineMs]. */
  stuck: { session: string; instance: string }[];
  /** The latest first acceptance after healedAt among the pairs (ms after healedAt). */
  worstConvergeMs: number;
}

/** Every pair of a live session and an instance must get a 200 again after `healedAt`. */
export function checkLiveness(
  requests: AnsweredRequest[],
  live: string[],
  instances: string[],
  healedAt: number,
  deadlineMs: number,
): LivenessResult {
  const firstOk = new Map<string, number>();
  for (const req of requests) {
    if (req.status !== 200 || req.start < healedAt) continue;
    const key = `${req.session}\u0000${req.instance}`;
    firstOk.set(key, Math.min(firstOk.get(key) ?? Infinity, req.end));
  }
  const stuck: { session: string; instance: string }[] = [];
  let worstConvergeMs = 0;
  for (const session of live) {
    for (const instance of instances) {
      const at = firstOk.get(`${session}\u0000${instance}`);
      if (at === undefined || at - healedAt > deadlineMs) stuck.push({ session, instance });
      else worstConvergeMs = Math.max(worstConvergeMs, at - healedAt);
    }
  }
  return { stuck, worstConvergeMs };
}
