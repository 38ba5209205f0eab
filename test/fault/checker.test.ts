// The checker's rule on made-up histories: it must fail a history that breaks the promise,
// or the fault suite's "0 violations" would mean nothing.
import { describe, expect, it } from "vitest";
import { BOUND_MS, checkLiveness, checkSafety, type AcknowledgedRevocation, type AnsweredRequest } from "./checker";

const req = (session: string, start: number, status: number, instance = "b"): AnsweredRequest => ({
  schedule: 0,
  instance,
  session,
  start,
  end: start + 10,
  status,
});
const revoked = (at: number, ...ended: string[]): AcknowledgedRevocation => ({
  schedule: 0,
  kind: "revoke-one",
  instance: "a",
  actor: "x",
  at,
  ended,
});

describe("checker: safety", () => {
  it("fails a request accepted when it started more than the bound after the acknowledgement", () => {
    const { violations, worstLagMs } = checkSafety([req("s1", 1_000 + BOUND_MS + 1, 200)], [revoked(1_000, "s1")]);
    expect(violations).toHaveLength(1);
    expect(violations[0]!.lagMs).toBe(BOUND_MS + 1);
    expect(worstLagMs).toBe(BOUND_MS + 1);
  });

  it("allows requests in flight or started within the bound, and reports the lag", () => {
    const { violations, worstLagMs } = checkSafety([req("s1", 900, 200), req("s1", 1_000 + BOUND_MS, 200)], [revoked(1_000, "s1")]);
    expect(violations).toEqual([]);
    expect(worstLagMs).toBe(BOUND_MS);
  });

  it("ignores refusals, other sessions and unacknowledged revocations", () => {
    const requests = [req("s1", 5_000, 401), req("s2", 5_000, 200), req("s3", 5_000, 200)];
    expect(checkSafety(requests, [revoked(1_000, "s1")]).violations).toEqual([]);
  });

  it("counts from the earliest acknowledgement that ended the session", () => {
    const { violations } = checkSafety([req("s1", 2_500, 200)], [revoked(3_000, "s1"), revoked(1_000, "s1", "s2")]);
    expect(violations.map((v) => v.revocation.at)).toEqual([1_000]);
  });
});

describe("checker: liveness", () => {
  it("finds a valid session never accepted again on an instance, and the worst time to converge", () => {
    const requests = [req("s1", 10_100, 200, "a"), req("s1", 10_300, 200, "b"), req("s2", 10_100, 200, "a"), req("s2", 10_200, 401, "b")];
    const result = checkLiveness(requests, ["s1", "s2"], ["a", "b"], 10_000, 5_000);
    expect(result.stuck).toEqual([{ session: "s2", instance: "b" }]);
    expect(result.worstConvergeMs).toBe(310);
  });

  it("only counts acceptances after the heal and within the deadline", () => {
    const result = checkLiveness([req("s1", 9_000, 200, "a"), req("s1", 16_000, 200, "b")], ["s1"], ["a", "b"], 10_000, 5_000);
    expect(result.stuck).toEqual([
      { session: "s1", instance: "a" },
      { session: "s1", instance: "b" },
    ]);
  });
});
