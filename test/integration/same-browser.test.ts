// Same browser, one session: signing in again in a browser that still holds a session
// ends that session in both stores, so its cookie can never be presented again.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { session } from "@/db/schema";
import { getSessionIndex, hashToken, tagOfToken } from "@/lib/session-index";
import { Browser, PASSWORD, signIn, signUpVerified } from "../support/browser";
import { bothStores, tokenOf, userIdOf } from "../support/sessions";
import { flushRepairs } from "@/lib/sessions/repairs";
import { securityEvent } from "@/db/schema";
import { flushBackground } from "@/lib/background";
import { getLiveBus } from "@/lib/live/bus";
import type { LiveEvent } from "@/lib/live/events";

/** Every live event published for the user while `run` runs. */
async function liveEventsDuring(userId: string, run: () => Promise<void>): Promise<LiveEvent[]> {
  const seen: LiveEvent[] = [];
  const bus = getLiveBus();
  const stop = bus.subscribe(userId, (e) => seen.push(e));
  await bus.settled();
  try {
    await run();
    await flushRepairs();
    await flushBackground();
    await new Promise((r) => setTimeout(r, 200)); // pub/sub delivery
    return seen;
  } finally {
    stop();
  }
}

async function inPostgres(token: string) {
  return (await getDb().select({ id: session.id }).from(session).where(eq(session.token, token))).length > 0;
}

async function inIndex(token: string) {
  return (await getSessionIndex().lookup(tagOfToken(token), hashToken(token))) !== null;
}

describe("signing in again in the same browser ends the session it held", () => {
  it("the first token is rejected by the proxy and absent from Postgres and the index", async () => {
    const b = new Browser();
    const { email } = await signUpVerified(b);
    await flushRepairs();
    const firstCookie = b.cookies.get("rv.session_token")!;
    const firstToken = tokenOf(b);
    expect(await inPostgres(firstToken)).toBe(true);

    await signIn(b, email); // the first cookie is sent along
    await flushRepairs();
    expect(tokenOf(b)).not.toBe(firstToken);
    expect(await inPostgres(firstToken)).toBe(false);
    expect(await inIndex(firstToken)).toBe(false);

    const replay = new Browser();
    replay.cookies.set("rv.session_token", firstCookie);
    const page = await replay.throughProxy("/settings/security");
    expect(page.status).toBe(303);
    expect((await replay.throughProxy("/api/sessions")).status).toBe(401);

    const stores = await bothStores(await userIdOf(email));
    expect(stores.postgres).toHaveLength(1);
    expect(stores.redis).toEqual(stores.postgres);
    expect((await b.throughProxy("/settings/security")).status).toBe(200);
  });

  it("a failed sign-in leaves the browser's session alone", async () => {
    const b = new Browser();
    const { email } = await signUpVerified(b);
    await flushRepairs();
    const token = tokenOf(b);
    const res = await b.auth("/sign-in/email", { email, password: "not " + PASSWORD });
    expect(res.status).toBe(401);
    expect(await inPostgres(token)).toBe(true);
    expect((await b.throughProxy("/settings/security")).status).toBe(200);
  });

  it("signing in as someone else in the same browser ends the first account's session there", async () => {
    const b = new Browser();
    const first = await signUpVerified(b);
    const firstToken = tokenOf(b);
    const other = new Browser();
    const second = await signUpVerified(other);
    await signIn(b, second.email);
    await flushRepairs();
    expect(await inPostgres(firstToken)).toBe(false);
    expect(await inIndex(firstToken)).toBe(false);
    expect((await bothStores(await userIdOf(first.email))).postgres).toEqual([]);
  });

  it("the limit does not evict another device for a browser's own re-sign-in", async () => {
    const devices = [new Browser(), new Browser(), new Browser()];
    const { email } = await signUpVerified(devices[0]!);
    await signIn(devices[1]!, email);
    await signIn(devices[2]!, email);
    await flushRepairs();
    await signIn(devices[2]!, email); // re-sign-in on the newest device, at the limit of 3
    await flushRepairs();
    for (const d of devices) expect((await d.throughProxy("/settings/security")).status).toBe(200);
    expect((await bothStores(await userIdOf(email))).postgres).toHaveLength(3);
  });

  it("is announced like every end: the same account's tabs carry on, another account's are signed out, the history says so", async () => {
    const b = new Browser();
    const { email } = await signUpVerified(b);
    const userId = await userIdOf(email);
    const again = await liveEventsDuring(userId, () => signIn(b, email).then(() => undefined));
    expect(again).toContainEqual(expect.objectContaining({ type: "session.ended", reason: "sign-out", reissued: true }));

    const other = await signUpVerified(new Browser());
    const switched = await liveEventsDuring(userId, () => signIn(b, other.email).then(() => undefined));
    const ended = switched.filter((e) => e.type === "session.ended");
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ reason: "sign-out" });
    expect(ended[0]).not.toHaveProperty("reissued");
    const history = await getDb().select().from(securityEvent).where(eq(securityEvent.userId, userId));
    expect(history.filter((r) => r.type === "session-ended" && r.reason === "sign-out")).toHaveLength(1);
  });
});

