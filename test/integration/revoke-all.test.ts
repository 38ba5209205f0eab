// Revoke-all in O(1) end to end: one statement in Postgres (the user's generation), one
// script in Redis; the rows left behind are invalid at once and deleted off the request path.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { getDb, getQueryCount } from "@/db";
import { flushBackground } from "@/lib/background";
import { session, user } from "@/db/schema";
import { GET as listRoute } from "@/app/api/sessions/route";
import { POST as revokeRoute } from "@/app/api/sessions/revoke/route";
import { env } from "@/lib/env";
import { getSessionIndex, hashToken, tagOfToken, userTag } from "@/lib/session-index";
import { RedisSessionIndex } from "@/lib/session-index/redis";
import { CLEANUP_BATCH, deleteOldGenerations, toRecord, type SessionRow } from "@/lib/sessions/lifecycle";
import { flushRepairs } from "@/lib/sessions/repairs";
import { checkSessionToken } from "@/lib/sessions/validate";
import { Browser, signIn, UA } from "../support/browser";
import { bothStores, pgSessionIds, sessionIdOf, tokenOf, userIdOf, userWithDevices } from "../support/sessions";

async function threeDevices() {
  const { email, userId, browsers } = await userWithDevices(3);
  const [a, b, c] = browsers as [Browser, Browser, Browser];
  return { email, userId, a, b, c };
}

/** `n` more sessions of `userId`, older than its others, in Postgres (the insert trigger
 *  stamps the user's generation) and, unless told not to, in the index (as a restore: the
 *  limit is not applied, as if they were signed in while it was higher). Seeded through a
 *  client without the app's command timeout (a busy machine must not fail the set-up).
 *  Returns their tokens. */
async function manySessions(userId: string, n: number, o: { index: boolean } = { index: true }): Promise<string[]> {
  const now = Date.now();
  const rows: SessionRow[] = Array.from({ length: n }, (_, i) => ({
    id: randomBytes(16).toString("base64url"),
    userId,
    token: userTag(userId) + randomBytes(24).toString("base64url"),
    createdAt: new Date(now - 3_600_000 + i),
    updatedAt: new Date(now - 3_600_000 + i),
    expiresAt: new Date(now + 86_400_000),
    ipAddress: "203.0.113.9",
    userAgent: UA.windowsFirefox,
  }));
  for (let i = 0; i < n; i += 500) await getDb().insert(session).values(rows.slice(i, i + 500));
  if (o.index) {
    const client = new Redis(process.env.REDIS_URL!);
    const seeding = new RedisSessionIndex(client, { prefix: env().REDIS_KEY_PREFIX });
    for (let i = 0; i < n; i += 250) {
      await Promise.all(rows.slice(i, i + 250).map((r) => seeding.record(toRecord(r), { kind: "restore" })));
    }
    client.disconnect();
  }
  return rows.map((r) => r.token);
}

describe("revoke-all by generation", () => {
  it("ends the others in both stores before their rows are deleted; Postgres' fallback compares generations", async () => {
    const { userId, a, b, c } = await threeDevices();
    const aId = await sessionIdOf(a);
    const [bToken, cToken] = [tokenOf(b), tokenOf(c)];
    const res = await a.route(revokeRoute, "/api/sessions/revoke", { body: { all: true } });
    expect(await res.json()).toEqual({ revoked: 2 });
    // Ended in the index at once, with the answer; the old rows are deleted after it.
    for (const t of [bToken, cToken]) expect((await getSessionIndex().check(tagOfToken(t), hashToken(t))).kind).toBe("ended");
    await flushBackground(); // the revoke-all's history row, written after its answer
    await flushRepairs(); // the old generation's rows are deleted off the request path
    expect(await pgSessionIds(userId)).toEqual([aId]);
    // The index refuses them with no SQL (measured once the clean-up's own queries are done).
    const before = getQueryCount();
    expect(await checkSessionToken(bToken)).toMatchObject({ ok: false, reason: "revoked" });
    expect(getQueryCount() - before).toBe(0);
    expect(await checkSessionToken(cToken)).toMatchObject({ ok: false, reason: "revoked" });
  });

  it("Postgres' fallback refuses a row of an older generation (before its clean-up)", async () => {
    const { userId, a, b } = await threeDevices();
    // The state between a revoke-all's statement and its clean-up: the user's generation
    // moved on, the rows are still there, and the index lost everything.
    await getDb().update(user).set({ sessionGeneration: sql`${user.sessionGeneration} + 1` }).where(eq(user.id, userId));
    const raw = new Redis(process.env.REDIS_URL!);
    await raw.flushdb();
    raw.disconnect();
    expect((await pgSessionIds(userId)).length).toBe(3);
    expect(await checkSessionToken(tokenOf(b))).toMatchObject({ ok: false, reason: "revoked" });
    expect(await checkSessionToken(tokenOf(a))).toMatchObject({ ok: false, reason: "revoked" });
    await flushRepairs();
  });

  it("a sign-in right after revoke-all stays valid and listed", async () => {
    const { email, a } = await threeDevices();
    await a.route(revokeRoute, "/api/sessions/revoke", { body: { all: true } });
    const d = new Browser(UA.androidChrome);
    await signIn(d, email);
    expect(await checkSessionToken(tokenOf(d))).toMatchObject({ ok: true, source: "index" });
    const list = (await (await a.route(listRoute, "/api/sessions")).json()) as { sessions: { id: string }[] };
    expect(list.sessions.map((s) => s.id).sort()).toEqual([await sessionIdOf(a), await sessionIdOf(d)].sort());
    await flushRepairs();
    expect((await pgSessionIds(await userIdOf(email))).sort()).toEqual([await sessionIdOf(a), await sessionIdOf(d)].sort());
  });

  it("at 2,500 sessions: every old cookie is refused, the list shows one, the rows go, the limit holds", async () => {
    const { email, userId, browsers } = await userWithDevices(1);
    const a = browsers[0]!;
    const aId = await sessionIdOf(a);
    const old = await manySessions(userId, 2_500);
    const res = await a.route(revokeRoute, "/api/sessions/revoke", { body: { all: true } });
    expect(await res.json()).toEqual({ revoked: 2_500 });
    // While the clean-up is deleting their rows, and after: refused by the index.
    for (const token of old) expect(await checkSessionToken(token)).toMatchObject({ ok: false, reason: "revoked" });
    const list = (await (await a.route(listRoute, "/api/sessions")).json()) as { sessions: { id: string }[] };
    expect(list.sessions.map((s) => s.id)).toEqual([aId]);
    await flushRepairs();
    expect(await pgSessionIds(userId)).toEqual([aId]);
    const before = getQueryCount();
    for (const token of old) expect(await checkSessionToken(token)).toMatchObject({ ok: false, reason: "revoked" });
    expect(getQueryCount() - before).toBe(0);
    // The limit (3) counts only the current generation: the third new device evicts A.
    const devices = [new Browser(UA.iphoneSafari), new Browser(UA.androidChrome), new Browser(UA.macChrome)];
    for (const d of devices) await signIn(d, email);
    await flushRepairs();
    const ids = (await Promise.all(devices.map(sessionIdOf))).sort();
    expect(await bothStores(userId)).toEqual({ postgres: ids, redis: ids });
    expect((await checkSessionToken(tokenOf(a))).ok).toBe(false);
  });

  it("the clean-up deletes in batches and never waits for a row someone holds", async () => {
    const { userId, browsers } = await userWithDevices(1);
    const aId = await sessionIdOf(browsers[0]!);
    const n = 2 * CLEANUP_BATCH + 10;
    await manySessions(userId, n, { index: false });
    await getDb().update(user).set({ sessionGeneration: sql`${user.sessionGeneration} + 1` }).where(eq(user.id, userId));
    await getDb().update(session).set({ generation: sql`${session.generation} + 1` }).where(eq(session.id, aId));
    const [held] = await getDb().select({ id: session.id }).from(session).where(sql`${session.userId} = ${userId} and ${session.id} <> ${aId}`).limit(1);
    // Another transaction holds one old row: a single DELETE of them all would wait for it.
    await getDb().transaction(async (tx) => {
      await tx.execute(sql`select id from ${session} where id = ${held!.id} for update`);
      const deleted = await Promise.race([
        deleteOldGenerations(userId),
        new Promise<"waited">((r) => setTimeout(() => r("waited"), 5_000)),
      ]);
      expect(deleted).toBe(n - 1);
    });
    expect(await pgSessionIds(userId)).toEqual([aId, held!.id].sort());
    // The next clean-up of this user takes the row it skipped.
    expect(await deleteOldGenerations(userId)).toBe(1);
    expect(await pgSessionIds(userId)).toEqual([aId]);
  });
});
