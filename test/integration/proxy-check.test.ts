// The per-request check: one index look-up and no database query for a live session;
// forged cookies cost nothing; last-active is throttled; both timeouts are enforced.
import { eq } from "drizzle-orm";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { getDb, getQueryCount } from "@/db";
import { session } from "@/db/schema";
import { env } from "@/lib/env";
import { getSessionIndex, hashToken, tagOfToken, userTag } from "@/lib/session-index";
import { signSessionToken } from "@/lib/sessions/cookie";
import { flushRepairs, pendingRepairs, scheduleRepairs } from "@/lib/sessions/repairs";
import { checkSessionToken } from "@/lib/sessions/validate";
import { Browser, signUpVerified } from "../support/browser";
import { bothStores, checkAndRepair, tokenOf, userIdOf } from "../support/sessions";

async function signedInBrowser() {
  const b = new Browser();
  const { email } = await signUpVerified(b);
  return { b, userId: await userIdOf(email) };
}

describe("proxy hot path", () => {
  it("lets a live session through with zero database queries", async () => {
    const { b } = await signedInBrowser();
    await b.throughProxy("/settings/security"); // warm: first touch may write
    const before = getQueryCount();
    for (let i = 0; i < 5; i++) expect((await b.throughProxy("/settings/security")).status).toBe(200);
    expect(getQueryCount() - before).toBe(0);
  });

  it("rejects forged, tampered and malformed cookies without touching Postgres", async () => {
    const { b } = await signedInBrowser();
    const token = tokenOf(b);
    const forged = [
      signSessionToken(token, "a-different-secret-that-is-long-enough-0000"),
      signSessionToken(token).replace(/.$/, (c) => (c === "A" ? "B" : "A")),
      signSessionToken(`${userTag("someone")}${"x".repeat(32)}`, "wrong-secret-wrong-secret-wrong-secret!!"),
      token,
      "",
      "%E0%A4%A",
      "x".repeat(5000),
      `${token}.${"=".repeat(44)}`,
    ];
    const before = getQueryCount();
    for (const cookie of forged) {
      const attacker = new Browser();
      attacker.cookies.set("rv.session_token", cookie);
      const api = await attacker.throughProxy("/api/sessions");
      expect(api.status, cookie.slice(0, 40)).toBe(401);
      const page = await attacker.throughProxy("/settings/security");
      expect(page.status).toBe(303);
    }
    expect(getQueryCount() - before).toBe(0);
  });

  it("lets public pages through without a session and guards everything else", async () => {
    const anon = new Browser();
    for (const p of ["/", "/sign-in", "/sign-up", "/forgot-password", "/reset-password", "/api/auth/get-session"]) {
      expect((await anon.throughProxy(p)).headers.get("x-middleware-next"), p).toBe("1");
    }
    const res = await anon.throughProxy("/settings/security?tab=devices");
    expect(res.status).toBe(303);
    const to = new URL(res.headers.get("location")!);
    expect(to.searchParams.get("next")).toBe("/settings/security?tab=devices");
    expect(to.searchParams.get("reason")).toBeNull(); // never signed in: no "signed out" notice
    expect((await anon.throughProxy("/api/sessions")).status).toBe(401);
  });

  it("marks protected responses no-store so the back button cannot show them after sign-out", async () => {
    const { b } = await signedInBrowser();
    expect((await b.throughProxy("/settings/security")).headers.get("cache-control")).toBe("private, no-store");
  });
});

describe("expiry and activity", () => {
  it("gives the validity key a TTL equal to the session's remaining lifetime", async () => {
    const { b, userId } = await signedInBrowser();
    const [row] = await getDb().select().from(session).where(eq(session.userId, userId));
    const raw = new Redis(process.env.REDIS_URL!);
    const pttl = await raw.pttl(`rv:{${tagOfToken(tokenOf(b))}}:t:${hashToken(tokenOf(b))}`);
    raw.disconnect();
    const remaining = row!.expiresAt.getTime() - Date.now();
    expect(Math.abs(pttl - remaining)).toBeLessThan(2_000);
    expect(remaining).toBeGreaterThan(env().SESSION_MAX_LIFETIME * 1000 - 60_000);
  });

  it("writes last-active at most once per interval", async () => {
    const { b, userId } = await signedInBrowser();
    const token = tokenOf(b);
    const t0 = (await getSessionIndex().lookup(tagOfToken(token), hashToken(token)))!.lastActiveAt;
    const interval = env().SESSION_TOUCH_INTERVAL * 1000;
    expect((await checkAndRepair(token, t0 + 1_000)).repairs).toEqual([]);
    expect((await checkAndRepair(token, t0 + interval - 1)).repairs).toEqual([]);
    expect((await getSessionIndex().lookup(tagOfToken(token), hashToken(token)))!.lastActiveAt).toBe(t0);
    expect((await checkAndRepair(token, t0 + interval + 5)).repairs).toMatchObject([{ kind: "touch" }]);
    expect((await getSessionIndex().lookup(tagOfToken(token), hashToken(token)))!.lastActiveAt).toBe(t0 + interval + 5);
    const [row] = await getDb().select().from(session).where(eq(session.userId, userId));
    expect(row!.updatedAt.getTime()).toBe(t0 + interval + 5);
  });

  it("ends a session idle longer than the inactivity timeout, in both stores", async () => {
    const { b, userId } = await signedInBrowser();
    const token = tokenOf(b);
    const idleMs = env().SESSION_IDLE_TIMEOUT * 1000;
    const entry = (await getSessionIndex().lookup(tagOfToken(token), hashToken(token)))!;
    expect(await checkAndRepair(token, entry.lastActiveAt + idleMs + 1)).toMatchObject({ ok: false, reason: "idle" });
    expect(await bothStores(userId)).toEqual({ postgres: [], redis: [] });
    // Remembered as ended for inactivity until the cookie expires: refused by the index alone.
    const queries = getQueryCount();
    expect(await checkAndRepair(token)).toMatchObject({ ok: false, reason: "idle" });
    expect(getQueryCount() - queries).toBe(0);
  });

  it("ends a session at its absolute expiry even if it is active", async () => {
    const { b } = await signedInBrowser();
    const token = tokenOf(b);
    const entry = (await getSessionIndex().lookup(tagOfToken(token), hashToken(token)))!;
    expect(await checkSessionToken(token, entry.expiresAt + 1)).toEqual({ ok: false, reason: "expired", repairs: [] });
  });
});

describe("the check reads; repairs are scheduled once, off the request", () => {
  it("an idle session's check changes neither store; the end it asks for runs when scheduled", async () => {
    const { b, userId } = await signedInBrowser();
    const token = tokenOf(b);
    const entry = (await getSessionIndex().lookup(tagOfToken(token), hashToken(token)))!;
    const before = await bothStores(userId);
    const check = await checkSessionToken(token, entry.lastActiveAt + env().SESSION_IDLE_TIMEOUT * 1000 + 1);
    expect(check).toEqual({
      ok: false,
      reason: "idle",
      repairs: [{ kind: "end", userId, sessionId: entry.sessionId, reason: "idle" }],
    });
    expect(await bothStores(userId)).toEqual(before);
    scheduleRepairs(check.repairs);
    await flushRepairs();
    expect(await bothStores(userId)).toEqual({ postgres: [], redis: [] });
  });

  it("the same repair asked for by concurrent requests of one session runs once", async () => {
    const { b, userId } = await signedInBrowser();
    const token = tokenOf(b);
    const t0 = (await getSessionIndex().lookup(tagOfToken(token), hashToken(token)))!.lastActiveAt;
    const later = t0 + env().SESSION_TOUCH_INTERVAL * 1000 + 5;
    const checks = await Promise.all(Array.from({ length: 5 }, () => checkSessionToken(token, later)));
    for (const c of checks) expect(c.repairs).toMatchObject([{ kind: "touch" }]);
    const queries = getQueryCount();
    for (const c of checks) scheduleRepairs(c.repairs);
    expect(pendingRepairs()).toBe(1);
    await flushRepairs();
    expect(pendingRepairs()).toBe(0);
    expect(getQueryCount() - queries).toBe(1); // one UPDATE of updated_at, not five
    const [row] = await getDb().select().from(session).where(eq(session.userId, userId));
    expect(row!.updatedAt.getTime()).toBe(later);
  });
});
