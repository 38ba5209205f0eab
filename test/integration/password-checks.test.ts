// Every password check is limited like sign-in (per client address and per account,
// counted in Redis), and no answer tells a right password from a wrong one unless the
// password is what is being checked.
import { describe, expect, it } from "vitest";
import { POST as revokeRoute } from "@/app/api/sessions/revoke/route";
import { ACCOUNT_RULE } from "@/lib/auth/rate-limit";
import { CLIENT_PASSWORD_RULE } from "@/lib/auth/password-rules";
import { withRateLimits } from "../support/rate-limits";
import { Browser, fromAddress, PASSWORD, signIn, signUpVerified } from "../support/browser";
import { sessionIdOf } from "../support/sessions";
import { flushRepairs } from "@/lib/sessions/repairs";

// Sign-in and every signed-in password check share one budget of failures per account;
// the successful sign-ins in userWithTwoDevices() use none of it.
const ACCOUNT_BUDGET = ACCOUNT_RULE.max;

let ipSeq = 1;
const freshIp = () => `192.0.2.${ipSeq++}`;

async function userWithTwoDevices() {
  const a = new Browser();
  const { email } = await signUpVerified(a);
  const b = new Browser();
  await signIn(b, email);
  await flushRepairs();
  return { a, b, email };
}

function revokeWithPassword(a: Browser, sessionId: string, password: string, ip = a.ip) {
  return a.route(revokeRoute, "/api/sessions/revoke", { body: { sessionId, password }, headers: fromAddress(ip) });
}

describe("the revoke API is not a password oracle", () => {
  it("a nonexistent session id answers 404 whether the password is right or wrong", async () => {
    const { a } = await userWithTwoDevices();
    const missing = "doesNotExist0123456789";
    const wrong = await revokeWithPassword(a, missing, "not the password at all");
    const right = await revokeWithPassword(a, missing, PASSWORD);
    expect([wrong.status, right.status]).toEqual([404, 404]);
    expect((await wrong.json()).error.code).toBe("session_not_found");
    expect((await right.json()).error.code).toBe("session_not_found");
  });

  it("another user's session id answers 404 whatever the password", async () => {
    const { a } = await userWithTwoDevices();
    const stranger = await userWithTwoDevices();
    const theirs = await sessionIdOf(stranger.b);
    expect((await revokeWithPassword(a, theirs, "not the password at all")).status).toBe(404);
    expect((await revokeWithPassword(a, theirs, PASSWORD)).status).toBe(404);
  });
});

describe("password checks are rate limited like sign-in", () => {
  withRateLimits();

  it("the revoke API's password check: 429 once the account's attempts are used, even spread over many addresses", async () => {
    const { a, b } = await userWithTwoDevices();
    const target = await sessionIdOf(b);
    const statuses: number[] = [];
    for (let i = 0; i <= ACCOUNT_BUDGET; i++) statuses.push((await revokeWithPassword(a, target, `guess number ${i}`, freshIp())).status);
    expect(statuses).toEqual([...Array(ACCOUNT_BUDGET).fill(403), 429]);
    // Locked: even the right password is not checked now, and the session lives on.
    const right = await revokeWithPassword(a, target, PASSWORD, freshIp());
    expect(right.status).toBe(429);
    expect((await right.json()).error.code).toBe("too_many_attempts");
    expect((await b.auth("/get-session")).status).toBe(200);
  });

  it("one client address gets a fixed number of password checks in all, across accounts", async () => {
    const ip = freshIp();
    const first = await userWithTwoDevices();
    const second = await userWithTwoDevices();
    const firstTarget = await sessionIdOf(first.b);
    const secondTarget = await sessionIdOf(second.b);
    const onFirst = CLIENT_PASSWORD_RULE.max - 1; // stays within the first account's budget
    expect(onFirst).toBeLessThanOrEqual(ACCOUNT_BUDGET);
    for (let i = 0; i < onFirst; i++) expect((await revokeWithPassword(first.a, firstTarget, `guess ${i}`, ip)).status).toBe(403);
    expect((await revokeWithPassword(second.a, secondTarget, "guess x", ip)).status).toBe(403);
    expect((await revokeWithPassword(second.a, secondTarget, "guess y", ip)).status).toBe(429);
    // The second account is not locked: from another address its password is checked.
    expect((await revokeWithPassword(second.a, secondTarget, "guess z", freshIp())).status).toBe(403);
  });

  it("an account locked by failed sign-ins is locked for the revoke API's password check too", async () => {
    const { a, b, email } = await userWithTwoDevices();
    for (let i = 0; i < ACCOUNT_BUDGET; i++) {
      const res = await new Browser().auth("/sign-in/email", { email, password: `wrong ${i}` }, { headers: fromAddress(freshIp()) });
      expect(res.status).toBe(401);
    }
    expect((await revokeWithPassword(a, await sessionIdOf(b), PASSWORD, freshIp())).status).toBe(429);
  });

  it("change-password's current password is limited per account across addresses", async () => {
    const { a } = await userWithTwoDevices();
    const statuses: number[] = [];
    for (let i = 0; i <= ACCOUNT_BUDGET; i++) {
      const res = await a.auth(
        "/change-password",
        { currentPassword: `guess ${i} wrong`, newPassword: "another password 123" },
        { headers: fromAddress(freshIp()) },
      );
      statuses.push(res.status);
    }
    expect(statuses).toEqual([...Array(ACCOUNT_BUDGET).fill(400), 429]);
  });

  it("delete-user with a password is limited per account across addresses", async () => {
    const { a } = await userWithTwoDevices();
    const statuses: number[] = [];
    for (let i = 0; i <= ACCOUNT_BUDGET; i++) {
      statuses.push((await a.auth("/delete-user", { password: `guess ${i} wrong` }, { headers: fromAddress(freshIp()) })).status);
    }
    expect(statuses).toEqual([...Array(ACCOUNT_BUDGET).fill(400), 429]);
    expect((await a.auth("/get-session")).status).toBe(200);
  });
});
