// Rate limits (ASVS 6.3.1) through the real route handler, counted in Redis so they hold
// across instances; and answers that do not reveal whether an account exists.
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { POST as authRoute } from "@/app/api/auth/[...all]/route";
import { POST as reportRoute } from "@/app/api/report-sign-in/route";
import { and, eq } from "drizzle-orm";
import { getDb } from "@/db";
import { securityEvent } from "@/db/schema";
import { resetAuthForTests } from "@/lib/auth";
import { flushBackground } from "@/lib/background";
import { withRateLimits } from "../support/rate-limits";
import { Browser, fromAddress, ORIGIN, PASSWORD, signUpVerified, uniqueEmail } from "../support/browser";
import { userIdOf } from "../support/sessions";

function post(path: string, body: unknown, ip: string) {
  return authRoute(
    new Request(`${ORIGIN}/api/auth${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: ORIGIN, ...fromAddress(ip), "user-agent": "rate-limit-test" },
      body: JSON.stringify(body),
    }),
  );
}

let ipSeq = 1;
const freshIp = () => `198.51.100.${ipSeq++}`;

withRateLimits();

describe("rate limits", () => {
  it("limits POST /api/report-sign-in per client address: 429 with Retry-After and the error shape; another address still gets through", async () => {
    const report = (ip: string) =>
      reportRoute(
        new Request(`${ORIGIN}/api/report-sign-in`, {
          method: "POST",
          headers: { "content-type": "application/json", origin: ORIGIN, ...fromAddress(ip) },
          body: JSON.stringify({ token: "not-a-token-this-server-signed" }),
        }),
      );
    const [ip, other] = [freshIp(), freshIp()];
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await report(ip)).status);
    expect(statuses).toEqual(Array(10).fill(400)); // invalid link, each one counted
    const refused = await report(ip);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await refused.json()).error.code).toBe("too_many_requests");
    expect((await report(other)).status).toBe(400);
  });

  it("limits sign-in attempts per IP with 429 and Retry-After, counted in Redis", async () => {
    const ip = freshIp();
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 11; i++) {
      last = await post("/sign-in/email", { email: uniqueEmail("rl"), password: "wrong password 123" }, ip);
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await last!.json()).message).toMatch(/too many/i);

    // A second instance (fresh better-auth) shares the Redis counters.
    resetAuthForTests();
    expect((await post("/sign-in/email", { email: uniqueEmail("rl"), password: "x".repeat(12) }, ip)).status).toBe(429);
    const raw = new Redis(process.env.REDIS_URL!);
    expect((await raw.keys("rv:rl:*")).length).toBeGreaterThan(0);
    for (const key of await raw.keys("rv:rl:*")) expect(await raw.pttl(key)).toBeGreaterThan(0);
    raw.disconnect();
  });

  it("limits sign-in attempts per account across many IPs (credential stuffing)", async () => {
    const { email } = await signUpVerified(new Browser());
    let last: Response | undefined;
    for (let i = 0; i < 11; i++) last = await post("/sign-in/email", { email, password: "guess number " + i }, freshIp());
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
    // Even the right password waits: the account is cooling down.
    expect((await post("/sign-in/email", { email, password: PASSWORD }, freshIp())).status).toBe(429);

    // The owner's history counts every attempt on one row, and says the limit blocked some.
    await flushBackground();
    const rows = await getDb()
      .select({ count: securityEvent.count, detail: securityEvent.detail })
      .from(securityEvent)
      .where(and(eq(securityEvent.userId, await userIdOf(email)), eq(securityEvent.type, "sign-in-failed")));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.count).toBe(12);
    expect(rows[0]!.detail?.blocked).toBe(true);
  });

  it("limits sign-up, password-reset requests and verification resends per IP", async () => {
    for (const [path, body, max] of [
      ["/sign-up/email", () => ({ email: uniqueEmail("su"), password: PASSWORD, name: "N" }), 5],
      ["/request-password-reset", () => ({ email: uniqueEmail("fp"), redirectTo: "/reset-password" }), 5],
      ["/send-verification-email", () => ({ email: uniqueEmail("sv") }), 5],
    ] as const) {
      const ip = freshIp();
      for (let i = 0; i < max; i++) expect((await post(path, body(), ip)).status, `${path} #${i}`).not.toBe(429);
      const res = await post(path, body(), ip);
      expect(res.status, path).toBe(429);
      expect(res.headers.get("retry-after"), path).toMatch(/^\d+$/);
    }
  });
});

describe("no account enumeration", () => {
  it("answers sign-in for a missing account exactly like a wrong password", async () => {
    const { email } = await signUpVerified(new Browser());
    const wrong = await post("/sign-in/email", { email, password: "not it at all 1" }, freshIp());
    const missing = await post("/sign-in/email", { email: uniqueEmail("ghost"), password: "not it at all 1" }, freshIp());
    expect(wrong.status).toBe(missing.status);
    expect(await wrong.json()).toEqual(await missing.json());
  });

  it("answers forgot-password the same whether or not the address exists", async () => {
    const { email } = await signUpVerified(new Browser());
    const known = await post("/request-password-reset", { email, redirectTo: "/reset-password" }, freshIp());
    const unknown = await post("/request-password-reset", { email: uniqueEmail("ghost"), redirectTo: "/reset-password" }, freshIp());
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    expect(await known.json()).toEqual(await unknown.json());
  });

  it("answers sign-up for an existing address like a new one", async () => {
    const { email } = await signUpVerified(new Browser());
    const existing = await post("/sign-up/email", { email, password: PASSWORD, name: "Again" }, freshIp());
    const fresh = await post("/sign-up/email", { email: uniqueEmail("new"), password: PASSWORD, name: "New" }, freshIp());
    expect(existing.status).toBe(fresh.status);
    const [a, b] = [await existing.json(), await fresh.json()];
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
    expect(a.token).toBeNull();
  });
});
