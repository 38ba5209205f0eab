// Partial failure: "the index may be behind" is the system's signal (a Postgres table every
// instance reads and drains), not one process's. Another instance is played here by a
// separate Postgres connection doing what that instance did before it died: the row is
// deleted, Redis never hears of it. This process must refuse the session anyway, within
// the bound the notification gives, and put Redis right itself.
import { eq } from "drizzle-orm";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { getDb, getQueryCount } from "@/db";
import { sessionIndexBacklog, session as sessionTable } from "@/db/schema";
import { createRedisClient } from "@/lib/redis/client";
import { getSessionIndex, hashToken, setSessionIndexForTests, tagOfToken, userTag } from "@/lib/session-index";
import { guard } from "@/lib/session-index/circuit";
import type { GuardedSessionIndex } from "@/lib/session-index/guarded";
import { RedisSessionIndex } from "@/lib/session-index/redis";
import { drainBacklog, refreshSuspectTags, tagIsSuspect } from "@/lib/sessions/index-health";
import { revokeAllSessions } from "@/lib/sessions/lifecycle";
import { flushRepairs } from "@/lib/sessions/repairs";
import { flushBackground } from "@/lib/background";
import { Browser, signIn, UA } from "../support/browser";
import { releaseOwnRedisIndex, useOwnRedisIndex, type OwnIndex } from "../support/own-index";
import { checkAndRepair, pause, sessionIdOf, tokenOf, userWithDevices } from "../support/sessions";

const status = async (b: Browser) => (await b.throughProxy("/api/sessions")).status;

/** The other instance: its own connection to the same database. */
async function otherInstance<T>(work: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

async function until(cond: () => Promise<boolean> | boolean, timeoutMs = 3_000): Promise<number> {
  const started = Date.now();
  while (!(await cond())) {
    if (Date.now() - started > timeoutMs) throw new Error("condition not met in time");
    await pause(5);
  }
  return Date.now() - started;
}

/** This instance's view of Redis during a partition: the same index, through a link that
 *  goes nowhere (the others still reach the real one). Freezing the server would not do:
 *  what this instance wrote before its timeout would still run on thaw. */
function cutOffIndex(): { index: GuardedSessionIndex; client: ReturnType<typeof createRedisClient> } {
  const client = createRedisClient("redis://127.0.0.1:1");
  return { index: guard(new RedisSessionIndex(client, { prefix: "rv" }), 300), client };
}

describe("the shared backlog", () => {
  let ownIndex: OwnIndex | undefined;
  afterEach(async () => {
    await releaseOwnRedisIndex(ownIndex);
    ownIndex = undefined;
    await flushBackground();
  });

  it("a session deleted by an instance that died before reaching Redis is refused here, and Redis is put right", async () => {
    const { userId, browsers } = await userWithDevices(2);
    const [a, b] = browsers as [Browser, Browser];
    const bToken = tokenOf(b);
    const bId = await sessionIdOf(b);
    expect(await status(b)).toBe(200);
    await refreshSuspectTags();
    expect(tagIsSuspect(tagOfToken(bToken))).toBe(false);

    // The other instance deletes B's row, then dies: no hook, no Redis call, no queue.
    await otherInstance((c) => c.query("delete from session where id = $1", [bId]));
    // Write-ahead: the removal is owed in the same transaction as the delete.
    const owed = await getDb().select().from(sessionIndexBacklog).where(eq(sessionIndexBacklog.userId, userId));
    expect(owed).toEqual([expect.objectContaining({ kind: "remove", sessionId: bId, tokenHash: hashToken(bToken), tag: tagOfToken(bToken) })]);
    // Redis still holds B as live...
    expect(await getSessionIndex().check(tagOfToken(bToken), hashToken(bToken))).toMatchObject({ kind: "live" });
    // ...yet this instance learns of the owed removal by notification, and refuses B.
    const heardInMs = await until(() => tagIsSuspect(tagOfToken(bToken)), 1_500);
    expect(heardInMs).toBeLessThan(1_000);
    expect(await status(b)).toBe(401);
    expect(await status(a)).toBe(200); // A is confirmed in Postgres meanwhile

    // Any instance drains it: Redis now says ended, the table is empty, nothing is suspect.
    expect(await drainBacklog()).toBe(0);
    expect(await getSessionIndex().check(tagOfToken(bToken), hashToken(bToken))).toMatchObject({ kind: "ended" });
    expect(await getDb().select().from(sessionIndexBacklog).where(eq(sessionIndexBacklog.userId, userId))).toEqual([]);
    expect(tagIsSuspect(tagOfToken(bToken))).toBe(false);
    // Back on the hot path: A costs no SQL, B's replay neither.
    await flushRepairs();
    await status(a);
    await flushRepairs();
    const before = getQueryCount();
    expect(await status(a)).toBe(200);
    expect(await status(b)).toBe(401);
    expect(getQueryCount() - before).toBe(0);
  });

  it("a revoke-all Redis did not take lands when it heals, even with no session of the new generation left", async () => {
    ownIndex = await useOwnRedisIndex();
    const { index } = ownIndex;
    const { userId, browsers } = await userWithDevices(3);
    const tokens = browsers.map(tokenOf);

    const cut = cutOffIndex(); // this instance is cut off from Redis; the others still see it
    setSessionIndexForTests(cut.index);
    // "Sign out everywhere" (the report page): nothing kept. The answer says what ended.
    expect(await revokeAllSessions(userId, null)).toBe(3);
    await flushBackground(); // the old-generation rows are deleted: nothing left to carry it
    cut.client.disconnect();
    expect(await getDb().select().from(sessionTable).where(eq(sessionTable.userId, userId))).toEqual([]);
    expect(await getDb().select().from(sessionIndexBacklog).where(eq(sessionIndexBacklog.userId, userId))).toEqual([
      expect.objectContaining({ kind: "rebuild", tag: userTag(userId) }),
    ]);
    setSessionIndexForTests(index); // healed: Redis holds all three as live, in the old generation
    for (const t of tokens) expect(await index.inner.check(tagOfToken(t), hashToken(t))).toMatchObject({ kind: "live" });
    await refreshSuspectTags();
    for (const t of tokens) expect(await checkAndRepair(t)).toMatchObject({ ok: false }); // confirmed in Postgres meanwhile
    expect(await drainBacklog()).toBe(0);

    // The index itself now refuses every old session, with no Postgres.
    for (const t of tokens) expect(await index.inner.check(tagOfToken(t), hashToken(t))).toEqual({ kind: "ended", reason: "revoked" });
    expect(tagIsSuspect(userTag(userId))).toBe(false);
    const before = getQueryCount();
    for (const t of tokens) expect(await checkAndRepair(t)).toMatchObject({ ok: false, reason: "revoked" });
    expect(getQueryCount() - before).toBe(0);
  });

  it("a revoke-all that keeps the current session moves it to the new generation when the backlog is drained", async () => {
    ownIndex = await useOwnRedisIndex();
    const { index } = ownIndex;
    const { userId, browsers } = await userWithDevices(3);
    const [a, ...others] = browsers as [Browser, Browser, Browser];
    const aId = await sessionIdOf(a);

    const cut = cutOffIndex();
    setSessionIndexForTests(cut.index);
    expect(await revokeAllSessions(userId, aId)).toBe(2);
    await flushBackground();
    cut.client.disconnect();
    setSessionIndexForTests(index);
    expect(await drainBacklog()).toBe(0);

    expect(await index.inner.check(tagOfToken(tokenOf(a)), hashToken(tokenOf(a)))).toMatchObject({ kind: "live" });
    for (const b of others) expect(await index.inner.check(tagOfToken(tokenOf(b)), hashToken(tokenOf(b)))).toMatchObject({ kind: "ended" });
    await flushRepairs();
    expect(await status(a)).toBe(200);
    for (const b of others) expect(await status(b)).toBe(401);
  });

  it("a sign-in Redis did not take keeps its tag confirmed in Postgres on every instance until rebuilt", async () => {
    ownIndex = await useOwnRedisIndex();
    const { index } = ownIndex;
    const { email, userId, browsers } = await userWithDevices(1);

    const cut = cutOffIndex();
    setSessionIndexForTests(cut.index);
    // A second sign-in while Redis is away: the record fails, the tag is owed a rebuild.
    const c = new Browser(UA.windowsFirefox);
    await signIn(c, email);
    cut.client.disconnect();
    expect(await getDb().select().from(sessionIndexBacklog).where(eq(sessionIndexBacklog.userId, userId))).toEqual([
      expect.objectContaining({ kind: "rebuild", tag: userTag(userId) }),
    ]);
    setSessionIndexForTests(index);
    await refreshSuspectTags();
    expect(tagIsSuspect(userTag(userId))).toBe(true);
    // The marker says complete and C is not in Redis: only the shared signal sends C to Postgres.
    expect(await index.inner.check(tagOfToken(tokenOf(c)), hashToken(tokenOf(c)))).toEqual({ kind: "miss", complete: true });
    expect(await status(c)).toBe(200);
    await until(async () => (await drainBacklog()) === 0, 5_000);
    expect(await index.inner.check(tagOfToken(tokenOf(c)), hashToken(tokenOf(c)))).toMatchObject({ kind: "live" });
    expect(await status(c)).toBe(200);
    expect(await status(browsers[0]!)).toBe(200);
  });
});
