// Operator tools: rebuilding the index from Postgres, ending all sessions of a user.
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { endAllSessionsOf, reindexFromDatabase } from "@/lib/sessions/admin";
import { flushRepairs } from "@/lib/sessions/repairs";
import { Browser, signIn, signUpVerified, UA } from "../support/browser";
import { bothStores, userIdOf } from "../support/sessions";

describe("sessions:reindex", () => {
  it("rebuilds the index from Postgres: lost entries come back, orphans go", async () => {
    const a = new Browser(UA.macChrome);
    const { email } = await signUpVerified(a);
    await signIn(new Browser(UA.iphoneSafari), email);
    await flushRepairs();
    const userId = await userIdOf(email);
    const raw = new Redis(process.env.REDIS_URL!);
    await raw.flushdb();
    await raw.set("rv:{orphan00}:t:stale", "x|y|1|1", "PX", 60_000);
    expect((await bothStores(userId)).redis).toEqual([]);

    const { sessions } = await reindexFromDatabase(1);
    expect(sessions).toBeGreaterThanOrEqual(2);
    const stores = await bothStores(userId);
    expect(stores.redis).toEqual(stores.postgres);
    expect(stores.redis).toHaveLength(2);
    expect(await raw.exists("rv:{orphan00}:t:stale")).toBe(0);
    raw.disconnect();
    expect((await a.throughProxy("/api/sessions")).status).toBe(200);
  });
});

describe("sessions:end-user", () => {
  it("ends every session of one user in both stores", async () => {
    const a = new Browser();
    const { email } = await signUpVerified(a);
    await signIn(new Browser(UA.windowsFirefox), email);
    await flushRepairs();
    expect(await endAllSessionsOf(email)).toMatchObject({ ended: 2 });
    expect((await a.throughProxy("/api/sessions")).status).toBe(401); // before the rows are even deleted
    await flushRepairs(); // the ended rows are deleted off the request path
    expect(await bothStores(await userIdOf(email))).toEqual({ postgres: [], redis: [] });
    expect((await a.throughProxy("/api/sessions")).status).toBe(401);
    expect(await endAllSessionsOf("nobody@example.test")).toBeNull();
  });
});
