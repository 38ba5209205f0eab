// Revoke-all in O(1) end to end: one statement in Postgres (the user's generation), one
// script in Redis; the rows left behind are invalid at once and deleted off the request path.
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { getDb, getQueryCount } from "@/db";
import { flushBackground } from "@/lib/background";
import { user } from "@/db/schema";
import { GET as listRoute } from "@/app/api/sessions/route";
import { POST as revokeRoute } from "@/app/api/sessions/revoke/route";
import { flushRepairs } from "@/lib/sessions/repairs";
import { checkSessionToken } from "@/lib/sessions/validate";
import { Browser, signIn, UA } from "../support/browser";
import { pgSessionIds, sessionIdOf, tokenOf, userIdOf, userWithDevices } from "../support/sessions";

async function threeDevices() {
  const { email, userId, browsers } = await userWithDevices(3);
  const [a, b, c] = browsers as [Browser, Browser, Browser];
  return { email, userId, a, b, c };
}

describe("revoke-all by generation", () => {
  it("ends the others in both stores before their rows are deleted; Postgres' fallback compares generations", async () => {
    const { userId, a, b, c } = await threeDevices();
    const aId = await sessionIdOf(a);
    const [bToken, cToken] = [tokenOf(b), tokenOf(c)];
    const res = await a.route(revokeRoute, "/api/sessions/revoke", { body: { all: true } });
    expect(await res.json()).toEqual({ revoked: 2 });
    await flushBackground(); // the revoke-all's history row, written after its answer
    // The index refuses them with no SQL...
    const before = getQueryCount();
    expect(await checkSessionToken(bToken)).toMatchObject({ ok: false, reason: "revoked" });
    expect(getQueryCount() - before).toBe(0);
    await flushRepairs(); // the old generation's rows are deleted off the request path
    expect(await pgSessionIds(userId)).toEqual([aId]);
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
});
