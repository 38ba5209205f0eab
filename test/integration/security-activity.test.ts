// Security activity: every action writes its event through lib/security/events.ts, and
// GET /api/security/activity lists the caller's own events, newest first, with a strict
// cursor. Real better-auth handler, proxy gate, route handlers, Postgres and Redis.
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { GET as activityRoute } from "@/app/api/security/activity/route";
import { POST as revokeRoute } from "@/app/api/sessions/revoke/route";
import { getDb } from "@/db";
import { securityEvent } from "@/db/schema";
import { flushBackground } from "@/lib/background";
import { flushMail } from "@/lib/mail";
import { encodeCursor } from "@/lib/security/activity";
import { pruneOldEvents, writeSecurityEvent } from "@/lib/security/events";
import { endAllSessionsOf } from "@/lib/sessions/admin";
import { flushRepairs } from "@/lib/sessions/repairs";
import type { ActivityItem, ActivityPage } from "@/lib/security/activity";
import { Browser, PASSWORD, signIn, signUpVerified, UA, uniqueEmail } from "../support/browser";
import { sessionIdOf, tokenOf, userIdOf, userWithDevices } from "../support/sessions";

async function settle() {
  await flushRepairs();
  await flushBackground();
  await flushMail();
}

async function activity(b: Browser, query = ""): Promise<ActivityPage> {
  const res = await b.api(activityRoute, `/api/security/activity${query}`);
  expect(res.status).toBe(200);
  expect(res.headers.get("cache-control")).toBe("no-store");
  return (await res.json()) as ActivityPage;
}

/** Every event of the caller, following the cursor to the end. */
async function allActivity(b: Browser, limit = 50): Promise<ActivityItem[]> {
  const out: ActivityItem[] = [];
  let cursor: string | null = null;
  do {
    const page: ActivityPage = await activity(b, `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    out.push(...page.events);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

const brief = (e: ActivityItem) => [e.type, e.reason, e.device].filter(Boolean).join(" | ");

describe("events are written where each action happens", () => {
  it("sign-ins, a revoke, revoke-all, a password change: in order, with device, address and the acting device", async () => {
    const { browsers } = await userWithDevices(3); // mac Chrome, iPhone Safari, Windows Firefox
    const [mac, phone, windows] = browsers as [Browser, Browser, Browser];
    await settle();
    // Mac signs the phone out, then all others; then changes the password.
    expect((await mac.api(revokeRoute, "/api/sessions/revoke", { body: { sessionId: await sessionIdOf(phone) } })).status).toBe(200);
    await settle();
    const again = new Browser(UA.androidChrome);
    await signIn(again, (await mac.auth("/get-session").then((r) => r.json()) as { user: { email: string } }).user.email);
    await settle();
    expect((await mac.api(revokeRoute, "/api/sessions/revoke", { body: { all: true } })).status).toBe(200);
    await settle();
    const changed = await mac.auth("/change-password", { currentPassword: PASSWORD, newPassword: "a brand new passphrase 42" });
    expect(changed.status).toBe(200);
    await settle();

    const events = await allActivity(mac);
    expect(events.map(brief).reverse()).toEqual([
      "email-verified",
      "sign-in | Chrome 131 on macOS",
      "sign-in | Safari on iPhone",
      "new-device-alert | Safari on iPhone",
      "sign-in | Firefox 133 on Windows",
      "new-device-alert | Firefox 133 on Windows",
      "session-ended | revoke | Safari on iPhone",
      "sign-in | Chrome on Pixel 8",
      "new-device-alert | Chrome on Pixel 8",
      "sessions-ended | revoke-all",
      "password-changed | Chrome 131 on macOS",
    ]);
    const byType = (t: string) => events.filter((e) => e.type === t);
    // Addresses are the sign-in's; the first sign-in is the caller's own (a different session
    // id after the password change re-issued it, so not "this device" any more).
    expect(byType("sign-in").map((e) => e.ipAddress).reverse()).toEqual([mac.ip, phone.ip, windows.ip, again.ip]);
    const revoked = byType("session-ended")[0]!;
    expect(revoked).toMatchObject({ ipAddress: phone.ip, by: "other-device", byDevice: "Chrome 131 on macOS" });
    expect(byType("sessions-ended")[0]).toMatchObject({ count: 2, by: "other-device" });
    // The password change's re-issued session is not reported as ended.
    expect(events.filter((e) => e.reason === "password-change")).toEqual([]);
  });

  it("the acting device is 'this device' for the session asking, and a sign-out is 'by itself'", async () => {
    const { browsers } = await userWithDevices(2);
    const [a, b] = browsers as [Browser, Browser];
    await a.api(revokeRoute, "/api/sessions/revoke", { body: { sessionId: await sessionIdOf(b) } });
    const c = new Browser(UA.windowsFirefox);
    await signIn(c, (await a.auth("/get-session").then((r) => r.json()) as { user: { email: string } }).user.email);
    expect((await c.auth("/sign-out", {})).status).toBe(200);
    await settle();
    const [signOut, , , revoke] = (await activity(a)).events;
    expect(signOut).toMatchObject({ type: "session-ended", reason: "sign-out", device: "Firefox 133 on Windows", by: "self" });
    expect(revoke).toMatchObject({ type: "session-ended", reason: "revoke", by: "this-device", byDevice: null });
    // The caller's own sign-in is marked as this device.
    const signIns = (await allActivity(a)).filter((e) => e.type === "sign-in");
    expect(signIns.at(-1)).toMatchObject({ device: "Chrome 131 on macOS", thisDevice: true });
    expect(signIns.filter((e) => e.thisDevice)).toHaveLength(1);
  });

  it("the operator ending a user's sessions is one event with the count", async () => {
    const { email, userId } = await userWithDevices(2);
    await endAllSessionsOf(email);
    await settle();
    const rows = await getDb().select().from(securityEvent).where(eq(securityEvent.userId, userId));
    expect(rows.filter((r) => r.type === "sessions-ended")).toMatchObject([{ reason: "operator", count: 2 }]);
  });

  it("failed sign-ins are one row per burst with a count; unknown addresses write nothing", async () => {
    const owner = new Browser(UA.macChrome);
    const { email } = await signUpVerified(owner);
    const userId = await userIdOf(email);
    const attacker = new Browser(UA.windowsFirefox);
    for (let i = 0; i < 3; i++) expect((await attacker.auth("/sign-in/email", { email, password: `wrong password ${i}` })).status).toBe(401);
    const before = await totalEvents();
    expect((await attacker.auth("/sign-in/email", { email: uniqueEmail("nobody"), password: "wrong password" })).status).toBe(401);
    await settle();
    expect(await totalEvents()).toBe(before);
    const failed = (await getDb().select().from(securityEvent).where(eq(securityEvent.userId, userId))).filter((r) => r.type === "sign-in-failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ count: 3, ipAddress: attacker.ip, deviceLabel: "Firefox 133 on Windows" });
    // Concurrent attempts still count on one row.
    await Promise.all([0, 1, 2, 3].map((i) => attacker.auth("/sign-in/email", { email, password: `again ${i}` })));
    await settle();
    const after = (await getDb().select().from(securityEvent).where(eq(securityEvent.userId, userId))).filter((r) => r.type === "sign-in-failed");
    expect(after.map((r) => r.count)).toEqual([7]);
    expect((await activity(owner)).events[0]).toMatchObject({ type: "sign-in-failed", count: 7 });
  });

  it("a stranger's user agent never reaches the owner: only a label built from known tokens, never a link or a phone number", async () => {
    const owner = new Browser(UA.macChrome);
    const { email } = await signUpVerified(owner);
    const userId = await userIdOf(email);
    const hostile = [
      "Mozilla/5.0 (Linux; Android 14; SECURITY ALERT call +1-555-0100 or visit evil.example) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
      "SECURITY ALERT call +1-555-0100 or visit https://evil.example/fix",
    ];
    const labels: (string | null)[] = [];
    for (const ua of hostile) {
      expect((await new Browser(ua).auth("/sign-in/email", { email, password: "a wrong guess 123" })).status).toBe(401);
      await settle();
      labels.push((await activity(owner)).events[0]!.device);
    }
    expect(labels).toEqual(["Chrome on Android", "Unknown device"]);
    // A row written before labels were built from known tokens (or by any other path) is
    // not echoed either, as the event's device or as the device that acted.
    await writeSecurityEvent({ userId, type: "sign-in-failed" });
    await getDb()
      .update(securityEvent)
      .set({ deviceLabel: "Chrome on SECURITY ALERT call +1-555-0100 or visit https://evil.example/fix" })
      .where(sql`${securityEvent.userId} = ${userId} and ${securityEvent.deviceLabel} is null`);
    await writeSecurityEvent({ userId, type: "session-ended", reason: "revoke", detail: { bySessionId: "another", byDevice: "Safari on CALL 5550100 NOW" } });
    const res = await owner.api(activityRoute, "/api/security/activity");
    const body = await res.text();
    expect(body).not.toMatch(/5550100|555-0100|evil|SECURITY ALERT/i);
    const events = (JSON.parse(body) as ActivityPage).events;
    expect(events.find((e) => e.type === "session-ended" && e.by === "other-device")?.byDevice).toBe("Unknown device");
    expect(events.filter((e) => e.type === "sign-in-failed").map((e) => e.device)).toContain("Unknown device");
  });

  it("an idle timeout noticed by the proxy is recorded with its reason", async () => {
    const { browsers, userId } = await userWithDevices(2);
    const [, b] = browsers as [Browser, Browser];
    const { checkAndRepair } = await import("../support/sessions");
    // Past the 7-day inactivity timeout (the test environment's default).
    expect(await checkAndRepair(tokenOf(b), Date.now() + 8 * 24 * 3600 * 1000)).toMatchObject({ ok: false, reason: "idle" });
    await settle();
    const rows = await getDb().select().from(securityEvent).where(eq(securityEvent.userId, userId));
    expect(rows.filter((r) => r.type === "session-ended")).toMatchObject([{ reason: "idle", deviceLabel: "Safari on iPhone", ipAddress: b.ip }]);
  });
});

async function totalEvents(): Promise<number> {
  const [r] = await getDb().select({ n: sql<number>`count(*)::int` }).from(securityEvent);
  return r!.n;
}

describe("GET /api/security/activity", () => {
  it("pages with an opaque cursor, newest first, no duplicates, and only the caller's events", async () => {
    const { browsers, userId } = await userWithDevices(1);
    const [a] = browsers as [Browser];
    const other = await userWithDevices(1);
    await settle();
    const base = Date.now() - 60_000;
    for (let i = 0; i < 7; i++) await writeSecurityEvent({ userId, type: "password-changed", at: new Date(base + i * 1000), ipAddress: `198.51.100.${i}` });
    // Two at the same millisecond: the id breaks the tie.
    for (let i = 0; i < 2; i++) await writeSecurityEvent({ userId, type: "email-verified", at: new Date(base - 5_000) });
    await writeSecurityEvent({ userId: other.userId, type: "password-changed", ipAddress: "192.0.2.99" });

    const pages: ActivityPage[] = [];
    let cursor: string | null = null;
    do {
      pages.push(await activity(a, `?limit=3${cursor ? `&cursor=${cursor}` : ""}`));
      cursor = pages.at(-1)!.nextCursor;
    } while (cursor);
    const events = pages.flatMap((p) => p.events);
    const all = await allActivity(a);
    expect(events.map((e) => e.id)).toEqual(all.map((e) => e.id));
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(events.length).toBe(11); // 7 + 2 + the sign-up's verification and sign-in
    const times = events.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((x, y) => y - x));
    expect(pages.every((p) => p.events.length <= 3)).toBe(true);
    expect(JSON.stringify(pages)).not.toContain("192.0.2.99");

    // What an event exposes: no token, no session id, nothing of another user.
    const text = JSON.stringify(all);
    expect(text).not.toContain(tokenOf(a));
    expect(text).not.toContain(await sessionIdOf(a));
    expect(Object.keys(all[0]!).sort()).toEqual(["at", "blocked", "by", "byDevice", "count", "device", "id", "ipAddress", "location", "passkeyName", "reason", "signInWith", "supportName", "thisDevice", "type"]);
  });

  it("a cursor made from another user's event continues in the caller's own events only", async () => {
    const mine = await userWithDevices(1);
    const theirs = await userWithDevices(1);
    await settle();
    const [row] = await getDb().select().from(securityEvent).where(eq(securityEvent.userId, theirs.userId));
    const page = await activity(mine.browsers[0]!, `?cursor=${encodeCursor(new Date(row!.createdAt.getTime() + 1), row!.id)}`);
    expect(page.events.length).toBeGreaterThan(0);
    expect(JSON.stringify(page)).not.toContain(theirs.browsers[0]!.ip);
  });

  it("refuses malformed cursors and limits with 400 and the error shape", async () => {
    const { browsers } = await userWithDevices(1);
    const [a] = browsers as [Browser];
    const good = encodeCursor(new Date(), "0b8e2f4c-1234-4abc-8def-0123456789ab");
    const bad: Array<[string, string]> = [
      [`?cursor=${good}x`, "invalid_cursor"],
      [`?cursor=${good}=`, "invalid_cursor"],
      ["?cursor=", "invalid_cursor"],
      ["?cursor=not-a-cursor", "invalid_cursor"],
      [`?cursor=${Buffer.from("1700000000000.'; drop table x; --").toString("base64url")}`, "invalid_cursor"],
      [`?cursor=${Buffer.from("-1.0b8e2f4c-1234-4abc-8def-0123456789ab").toString("base64url")}`, "invalid_cursor"],
      [`?cursor=${"A".repeat(500)}`, "invalid_cursor"],
      ["?cursor=%00", "invalid_cursor"],
      ["?limit=0", "invalid_body"],
      ["?limit=51", "invalid_body"],
      ["?limit=abc", "invalid_body"],
      ["?limit=1&limit=2", "invalid_body"],
      ["?other=1", "invalid_body"],
    ];
    for (const [query, code] of bad) {
      const res = await a.api(activityRoute, `/api/security/activity${query}`);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(await res.json()).toEqual({ error: { code, message: expect.any(String) } });
    }
    expect((await a.api(activityRoute, `/api/security/activity?cursor=${good}`)).status).toBe(200);
  });

  it("refuses a well-formed cursor whose time is out of range with 400, never a 500 from Postgres", async () => {
    const { browsers } = await userWithDevices(1);
    const [a] = browsers as [Browser];
    const id = "0b8e2f4c-1234-4abc-8def-0123456789ab";
    const cursorAt = (ms: number) => Buffer.from(`${ms}.${id}`).toString("base64url");
    const day = 24 * 60 * 60 * 1000;
    for (const ms of [
      999_999_999_999_999, // the year 33658: JS has a Date for it, Postgres does not
      253_402_300_800_000, // 10000-01-01: past a four-digit year
      Date.now() + 2 * day, // no event is from the future: nothing the server handed out
    ]) {
      const res = await a.api(activityRoute, `/api/security/activity?cursor=${cursorAt(ms)}`);
      expect({ ms, status: res.status }).toEqual({ ms, status: 400 });
      expect(await res.json()).toEqual({ error: { code: "invalid_cursor", message: expect.any(String) } });
    }
    // Old cursors (a page left open for days) and the epoch still parse: they are in range.
    for (const ms of [0, Date.now() - 100 * day]) {
      expect((await a.api(activityRoute, `/api/security/activity?cursor=${cursorAt(ms)}`)).status).toBe(200);
    }
  });

  it("needs a live session: 401 signed out and after the session ended", async () => {
    expect((await new Browser().api(activityRoute, "/api/security/activity")).status).toBe(401);
    const { browsers } = await userWithDevices(2);
    const [a, b] = browsers as [Browser, Browser];
    const stolen = new Browser(b.userAgent);
    for (const [k, v] of b.cookies) stolen.cookies.set(k, v);
    await a.api(revokeRoute, "/api/sessions/revoke", { body: { sessionId: await sessionIdOf(b) } });
    const res = await stolen.api(activityRoute, "/api/security/activity");
    expect(res.status).toBe(401);
  });
});

describe("retention", () => {
  it("events older than 90 days are pruned on the user's next write, and everyone's by the periodic prune", async () => {
    const mine = await userWithDevices(1);
    const theirs = await userWithDevices(1);
    await settle();
    const old = new Date(Date.now() - 91 * 24 * 60 * 60 * 1000);
    const recent = new Date(Date.now() - 89 * 24 * 60 * 60 * 1000);
    for (const userId of [mine.userId, theirs.userId]) {
      await writeSecurityEvent({ userId, type: "email-verified", at: old });
      await writeSecurityEvent({ userId, type: "password-reset", at: recent });
    }
    const typesOf = async (userId: string) =>
      (await getDb().select().from(securityEvent).where(eq(securityEvent.userId, userId))).map((r) => r.type).sort();
    // The write above already pruned the writer's own old rows.
    expect(await typesOf(mine.userId)).toEqual(["email-verified", "password-reset", "sign-in"]);
    // Listing never shows rows past the window even before a prune reaches them.
    await getDb().insert(securityEvent).values({ id: crypto.randomUUID(), userId: mine.userId, type: "email-verified", createdAt: old });
    expect((await allActivity(mine.browsers[0]!)).map((e) => e.type).sort()).toEqual(["email-verified", "password-reset", "sign-in"]);
    // The global prune (no user) removes every account's old rows.
    expect(await pruneOldEvents(new Date())).toBeGreaterThanOrEqual(1);
    expect(await typesOf(theirs.userId)).toEqual(["email-verified", "password-reset", "sign-in"]);
    expect(await typesOf(mine.userId)).toEqual(["email-verified", "password-reset", "sign-in"]);
  });
});
