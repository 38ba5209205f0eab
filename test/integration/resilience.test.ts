// Redis is an index, not the truth: losing its data or losing Redis itself signs no valid
// session out and brings no revoked one back. Data loss, a dead Redis and a frozen one,
// each against real servers the test controls; and a dead Postgres.
import { Redis } from "ioredis";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { sessionIndexBacklog } from "@/db/schema";
import { POST as revokeRoute } from "@/app/api/sessions/revoke/route";
import { GET as listRoute } from "@/app/api/sessions/route";
import { resetAuthForTests } from "@/lib/auth";
import { resetEnvForTests } from "@/lib/env";
import { getSessionIndex, hashToken, tagOfToken } from "@/lib/session-index";
import { indexIsSuspect } from "@/lib/sessions/index-health";
import { flushRepairs } from "@/lib/sessions/repairs";
import { Browser, signIn, signUpVerified, UA } from "../support/browser";
import { releaseOwnRedisIndex, useOwnRedisIndex, type OwnIndex } from "../support/own-index";
import { bothStores, checkAndRepair, pause, sessionIdOf, tokenOf, userIdOf } from "../support/sessions";

async function twoDevices() {
  const a = new Browser(UA.macChrome);
  const { email } = await signUpVerified(a);
  const b = new Browser(UA.iphoneSafari);
  await signIn(b, email);
  await flushRepairs();
  return { email, userId: await userIdOf(email), a, b };
}

const status = async (b: Browser, path = "/api/sessions") => (await b.throughProxy(path)).status;

async function until(cond: () => Promise<boolean> | boolean, timeoutMs = 5_000) {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await pause(50);
  }
}

describe("Redis loses its data (FLUSHDB)", () => {
  it("keeps valid sessions (restored from Postgres) and keeps revoked ones out", async () => {
    const { a, b } = await twoDevices();
    const bCookie = b.cookies.get("rv.session_token")!;
    await a.route(revokeRoute, "/api/sessions/revoke", { body: { sessionId: await sessionIdOf(b) } });
    const raw = new Redis(process.env.REDIS_URL!);
    await raw.flushdb();
    raw.disconnect();

    const first = await checkAndRepair(tokenOf(a));
    expect(first).toMatchObject({ ok: true, source: "database" });
    expect(await checkAndRepair(tokenOf(a))).toMatchObject({ ok: true, source: "index" });

    const ghost = new Browser();
    ghost.cookies.set("rv.session_token", bCookie);
    expect(await status(ghost)).toBe(401);
    expect(await getSessionIndex().lookup(tagOfToken(tokenOf(a)), hashToken(tokenOf(a)))).not.toBeNull();
  });
});

describe("Redis unreachable", () => {
  let ownIndex: OwnIndex | undefined;
  afterEach(async () => {
    await releaseOwnRedisIndex(ownIndex);
    ownIndex = undefined;
  });

  it("answers from Postgres, enforces revocations, opens the breaker, and catches up when Redis returns", async () => {
    ownIndex = await useOwnRedisIndex();
    const { own, index } = ownIndex;
    const { email, userId, a, b } = await twoDevices();
    expect((await bothStores(userId)).redis).toHaveLength(2);
    const bId = await sessionIdOf(b);

    await own.stop();
    const started = Date.now();
    expect(await status(a)).toBe(200);
    expect(Date.now() - started).toBeLessThan(2_000); // bounded by the command timeout
    expect(await status(a)).toBe(200);
    expect(index.breaker.state).toBe("open");
    const fast = Date.now();
    expect(await status(a)).toBe(200);
    expect(Date.now() - fast).toBeLessThan(250); // open circuit: no waiting on Redis

    const listed = await a.route(listRoute, "/api/sessions");
    expect(listed.status).toBe(200); // the Active devices panel keeps working, from Postgres
    expect(((await listed.json()) as { sessions: unknown[] }).sessions).toHaveLength(2);

    const revoke = await a.route(revokeRoute, "/api/sessions/revoke", { body: { sessionId: bId } });
    expect(revoke.status).toBe(200);
    expect(await status(b, "/settings/security")).toBe(303);

    const c = new Browser(UA.windowsFirefox);
    await signIn(c, email);
    expect(await status(c)).toBe(200);

    await own.start(); // empty: no persistence
    await pause(350); // breaker cooldown
    await until(async () => (await status(a)) === 200 && index.breaker.state === "closed");
    // Sessions created during the outage are indexed again on their next request.
    expect(await status(c)).toBe(200);
    await until(async () => (await bothStores(userId)).redis.length === 2);
    const stores = await bothStores(userId);
    expect(stores.redis).toEqual(stores.postgres);
    expect(await status(b)).toBe(401);
  });

  it("a revocation made while Redis was frozen never comes back when it thaws", async () => {
    ownIndex = await useOwnRedisIndex();
    const { own, index } = ownIndex;
    const { userId, a, b } = await twoDevices();
    const bId = await sessionIdOf(b);
    const bToken = tokenOf(b);
    const bHash = hashToken(bToken);

    own.freeze();
    const revoke = await a.route(revokeRoute, "/api/sessions/revoke", { body: { sessionId: bId } });
    expect(revoke.status).toBe(200);
    expect(await getDb().select().from(sessionIndexBacklog)).toEqual([
      expect.objectContaining({ sessionId: bId, tokenHash: bHash, userId }),
    ]);
    expect(indexIsSuspect()).toBe(true);
    expect(await status(b)).toBe(401);

    own.thaw(); // Redis is back and still holds B's stale validity entry
    expect(await status(b)).toBe(401); // suspect: hits are confirmed in Postgres
    await pause(350); // breaker cooldown
    await until(async () => (await status(a)) === 200 && !indexIsSuspect());
    expect(await getDb().select().from(sessionIndexBacklog)).toEqual([]);
    expect(await index.inner.lookup(tagOfToken(bToken), bHash)).toBeNull();
    expect(await status(b)).toBe(401);
    expect(await bothStores(userId)).toEqual({ postgres: [await sessionIdOf(a)], redis: [await sessionIdOf(a)] });
  });
});

describe("Postgres unreachable", () => {
  const saved = process.env.DATABASE_URL;
  afterAll(async () => {
    process.env.DATABASE_URL = saved;
    resetEnvForTests();
    await closeDb();
    resetAuthForTests();
  });

  it("answers 503 JSON for the API and a 503 page, never a stack trace", async () => {
    const { email, a, b } = await twoDevices();
    await a.route(revokeRoute, "/api/sessions/revoke", { body: { sessionId: await sessionIdOf(b) } });
    // C's entry is lost and its tag not complete: only Postgres can judge it.
    const c = new Browser(UA.windowsFirefox);
    await signIn(c, email);
    await flushRepairs();
    const raw = new Redis(process.env.REDIS_URL!);
    await raw.del(`rv:{${tagOfToken(tokenOf(c))}}:t:${hashToken(tokenOf(c))}`, `rv:{${tagOfToken(tokenOf(c))}}:c`);
    raw.disconnect();
    await closeDb();
    process.env.DATABASE_URL = "postgres://postgres@127.0.0.1:1/nothing";
    resetEnvForTests();
    resetAuthForTests();

    // A is in the index: the hot path needs no database at all.
    expect(await status(a)).toBe(200);
    // B is remembered as ended: refused without the database too.
    expect(await status(b)).toBe(401);
    // C is not in the index: the fallback needs Postgres, which is down.
    const api = await c.throughProxy("/api/sessions");
    expect(api.status).toBe(503);
    expect(await api.json()).toEqual({ error: { code: "unavailable", message: expect.stringMatching(/temporarily unavailable/) } });
    const page = await c.throughProxy("/settings/security");
    expect(page.status).toBe(503);
    const html = await page.text();
    expect(html).toMatch(/right back/);
    expect(html).not.toMatch(/at \w+ \(|Error:/);
  });
});
