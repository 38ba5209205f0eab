// The index knows when it may have lost sessions (no completeness marker for the tag)
// and remembers ended sessions until their cookies expire. After Redis loses its data the
// Active devices list still shows every live device (from Postgres, while the tag is
// rebuilt), and once rebuilt a replayed revoked cookie is refused with no SQL at all.
import { Redis } from "ioredis";
import { afterEach, describe, expect, it, vi } from "vitest";
import { getQueryCount } from "@/db";
import { flushBackground } from "@/lib/background";
import { GET as listRoute } from "@/app/api/sessions/route";
import { POST as revokeRoute } from "@/app/api/sessions/revoke/route";
import { getSessionIndex, hashToken, tagOfToken, userTag } from "@/lib/session-index";
import { flushRepairs } from "@/lib/sessions/repairs";
import { checkSessionToken } from "@/lib/sessions/validate";
import { Browser } from "../support/browser";
import { bothStores, checkAndRepair, sessionIdOf, tokenOf, userWithDevices } from "../support/sessions";

async function threeDevices() {
  const { userId, browsers } = await userWithDevices(3);
  const [a, b, c] = browsers as [Browser, Browser, Browser];
  return { userId, a, b, c };
}

async function flushRedis() {
  const raw = new Redis(process.env.REDIS_URL!);
  await raw.flushdb();
  raw.disconnect();
}

const listed = async (b: Browser) =>
  ((await (await b.route(listRoute, "/api/sessions")).json()) as { sessions: { id: string }[] }).sessions.map((s) => s.id).sort();

afterEach(() => vi.restoreAllMocks());

describe("after Redis loses its data", () => {
  it("the first list shows every live device, and the index is complete again right after", async () => {
    const { userId, a, b, c } = await threeDevices();
    await flushRedis();
    // Only A makes a request; B and C stay away.
    expect(await checkAndRepair(tokenOf(a))).toMatchObject({ ok: true, source: "database" });

    const all = [await sessionIdOf(a), await sessionIdOf(b), await sessionIdOf(c)].sort();
    expect(await listed(a)).toEqual(all);
    await flushRepairs();
    expect(await getSessionIndex().listChecked(userId)).toMatchObject({ complete: true });
    expect(await bothStores(userId)).toEqual({ postgres: all, redis: all });
    // The next list is the index's own: no SQL.
    const queries = getQueryCount();
    expect(await listed(a)).toEqual(all);
    expect(getQueryCount() - queries).toBe(0);
  });

  it("a replayed revoked cookie costs one SQL before the tag is rebuilt and none after", async () => {
    const { a, b } = await threeDevices();
    const bToken = tokenOf(b);
    await a.route(revokeRoute, "/api/sessions/revoke", { body: { sessionId: await sessionIdOf(b) } });
    await flushRedis(); // B's ended value is lost with everything else

    let queries = getQueryCount();
    expect(await checkAndRepair(bToken)).toMatchObject({ ok: false, reason: "revoked" });
    expect(getQueryCount() - queries).toBeGreaterThanOrEqual(1); // the miss went to Postgres
    await flushRepairs(); // the repair rebuilt B's tag

    queries = getQueryCount();
    for (let i = 0; i < 100; i++) {
      expect((await checkSessionToken(bToken)).ok).toBe(false);
    }
    expect(getQueryCount() - queries).toBe(0);
    expect(await getSessionIndex().check(tagOfToken(bToken), hashToken(bToken))).toEqual({ kind: "miss", complete: true });
  });

  it("rebuilds every other user in the background, with progress logged, once", async () => {
    const first = await threeDevices();
    const second = await threeDevices();
    await flushRedis();
    const info = vi.spyOn(console, "info");

    // One request of the first user notices the loss.
    await checkAndRepair(tokenOf(first.a));
    await flushRepairs();
    expect(info.mock.calls.some(([m]) => typeof m === "string" && m.startsWith("[sessions] index rebuild finished"))).toBe(true);
    expect(await getSessionIndex().isBuilt()).toBe(true);
    // The second user never made a request, yet is complete and fully listed.
    const stores = await bothStores(second.userId);
    expect(stores.redis).toEqual(stores.postgres);
    expect(stores.redis).toHaveLength(3);
    expect(await getSessionIndex().listChecked(second.userId)).toMatchObject({ complete: true });

    // A new incomplete tag later (a brand-new user) rebuilds that tag only.
    info.mockClear();
    const queries = getQueryCount();
    const stranger = `${userTag("nobody-yet")}${"x".repeat(32)}`;
    expect(await checkAndRepair(stranger)).toMatchObject({ ok: false, reason: "revoked" });
    expect(getQueryCount() - queries).toBe(2); // the miss's look-up and the tag's rebuild
    expect(info.mock.calls.some(([m]) => typeof m === "string" && m.startsWith("[sessions] index rebuild"))).toBe(false);
  });
});

describe("ended sessions", () => {
  it("a revoked cookie replayed 100 times costs no SQL", async () => {
    const { a, b } = await threeDevices();
    const bToken = tokenOf(b);
    await a.route(revokeRoute, "/api/sessions/revoke", { body: { sessionId: await sessionIdOf(b) } });
    await flushBackground(); // the revoke's own history row, written after its answer
    const queries = getQueryCount();
    for (let i = 0; i < 100; i++) expect(await checkSessionToken(bToken)).toEqual({ ok: false, reason: "revoked", repairs: [] });
    expect(getQueryCount() - queries).toBe(0);
    expect(await getSessionIndex().check(tagOfToken(bToken), hashToken(bToken))).toEqual({ kind: "ended", reason: "revoked" });
  });
});
