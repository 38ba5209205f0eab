// Where and how each session was signed in, from better-auth's real handlers to the
// Active devices API and the emails: location looked up from the sign-in's address in the
// shipped country database, the sign-in method from the endpoint, the "new" mark from
// when the device was first seen.
import { mkdtempSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { session as sessionTable } from "@/db/schema";
import { GET as listRoute } from "@/app/api/sessions/route";
import { resetEnvForTests } from "@/lib/env";
import { resetLocationForTests } from "@/lib/location";
import { flushMail } from "@/lib/mail";
import type { OutboxEnvelope } from "@/lib/mail/outbox";
import { getSessionIndex } from "@/lib/session-index";
import type { SessionView } from "@/lib/sessions/service";
import { flushRepairs } from "@/lib/sessions/repairs";
import { Browser, PASSWORD, signIn, signUpVerified, UA, waitForEmail } from "../support/browser";
import { buildMmdb, cityRecord } from "../support/mmdb";
import { sessionIdOf, userIdOf } from "../support/sessions";

const ZA = "196.25.1.1"; // South Africa in the shipped database
const US = "8.8.8.8"; // United States
const HOUR = 3600 * 1000;

async function list(b: Browser): Promise<SessionView[]> {
  const res = await b.api(listRoute, "/api/sessions");
  expect(res.status).toBe(200);
  return ((await res.json()) as { sessions: SessionView[] }).sessions;
}

async function row(sessionId: string) {
  const [r] = await getDb().select().from(sessionTable).where(eq(sessionTable.id, sessionId));
  return r!;
}

async function textOf(to: string, template: string, after: number): Promise<string> {
  const m = await waitForEmail(to, template, after);
  const dir = process.env.OUTBOX_DIR!;
  const envelope = JSON.parse(await readFile(path.join(dir, m.file), "utf8")) as OutboxEnvelope;
  return readFile(path.join(dir, envelope.text), "utf8");
}

describe("sign-in context", () => {
  it("stores each session's location and method, and the sessions API shows them", async () => {
    const laptop = new Browser(UA.macChrome, ZA);
    const { email } = await signUpVerified(laptop); // the verification link signs it in
    const phone = new Browser(UA.iphoneSafari, US);
    await signIn(phone, email);
    const home = new Browser(UA.windowsFirefox, "192.168.1.20");
    await signIn(home, email);
    await flushRepairs();

    expect(await row(await sessionIdOf(laptop))).toMatchObject({ location: "South Africa", signInMethod: "email-verification" });
    expect(await row(await sessionIdOf(phone))).toMatchObject({ location: "United States", signInMethod: "password" });
    expect(await row(await sessionIdOf(home))).toMatchObject({ location: null, signInMethod: "password" });

    const byId = new Map((await list(laptop)).map((s) => [s.id, s]));
    expect(byId.get(await sessionIdOf(laptop))).toMatchObject({ location: "South Africa", signInMethod: "email-verification", isCurrent: true });
    expect(byId.get(await sessionIdOf(phone))).toMatchObject({ location: "United States", signInMethod: "password" });
    expect(byId.get(await sessionIdOf(home))).toMatchObject({ location: null, ipAddress: "192.168.1.20", signInMethod: "password" });
  });

  it("with a City database configured, a sign-in records City, Country", async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "revocable-geo-")), "city.mmdb");
    writeFileSync(file, buildMmdb({ "196.25.0.0/16": cityRecord("Cape Town", "South Africa", "ZA") }));
    process.env.GEOIP_DATABASE = file;
    resetEnvForTests();
    resetLocationForTests();
    try {
      const laptop = new Browser(UA.macChrome, ZA);
      await signUpVerified(laptop);
      expect((await row(await sessionIdOf(laptop))).location).toBe("Cape Town, South Africa");
      expect((await list(laptop))[0]).toMatchObject({ location: "Cape Town, South Africa", isCurrent: true });
    } finally {
      delete process.env.GEOIP_DATABASE;
      resetEnvForTests();
      resetLocationForTests();
    }
  });

  it("a request body cannot choose its location or method", async () => {
    const laptop = new Browser(UA.macChrome, ZA);
    const { email } = await signUpVerified(laptop);
    const b = new Browser(UA.macChrome, "10.0.0.7");
    await b.auth("/sign-in/email", { email, password: PASSWORD, location: "Nowhere, Atlantis", signInMethod: "passkey" });
    if (b.signedIn()) {
      expect(await row(await sessionIdOf(b))).toMatchObject({ location: null, signInMethod: "password" });
    }
    // Whatever better-auth answered, no row carries the chosen values.
    const forged = await getDb().select({ n: sql<number>`count(*)::int` }).from(sessionTable).where(eq(sessionTable.location, "Nowhere, Atlantis"));
    expect(forged[0]!.n).toBe(0);
  });

  it("a password change keeps the method of the session it re-issues, and mails the location", async () => {
    const laptop = new Browser(UA.macChrome, ZA);
    const { email } = await signUpVerified(laptop);
    const before = await sessionIdOf(laptop);
    expect((await row(before)).signInMethod).toBe("email-verification");
    await flushMail();
    const started = Date.now();
    const res = await laptop.auth("/change-password", { currentPassword: PASSWORD, newPassword: "a brand new passphrase 42", revokeOtherSessions: true });
    expect(res.status).toBe(200);
    const after = await sessionIdOf(laptop);
    expect(after).not.toBe(before);
    expect(await row(after)).toMatchObject({ location: "South Africa", signInMethod: "email-verification" });
    expect(await textOf(email, "password-changed", started)).toContain("Location (approximate): South Africa");
  });

  it("the new-sign-in email says where and how", async () => {
    const { email } = await signUpVerified(new Browser(UA.macChrome, ZA));
    await flushMail();
    const started = Date.now();
    await signIn(new Browser(UA.iphoneSafari, US), email);
    const text = await textOf(email, "new-sign-in", started);
    expect(text).toContain("Location (approximate): United States");
    expect(text).toContain("Signed in with: password");
  });

  it("marks a device first seen in the last 24 hours as new, from the index and from Postgres", async () => {
    const a = new Browser(UA.macChrome, ZA);
    const { email } = await signUpVerified(a);
    const b = new Browser(UA.iphoneSafari, US);
    await signIn(b, email);
    const c = new Browser(UA.windowsFirefox, US);
    await signIn(c, email);
    await flushRepairs();
    const [ida, idb, idc] = [await sessionIdOf(a), await sessionIdOf(b), await sessionIdOf(c)];
    const now = Math.floor(Date.now() / 1000) * 1000; // the first-seen time is kept to the second
    // The device cookie's hook filled each first-seen time at sign-in (c's is now, so it is new).
    const filled = await getDb().select({ at: sessionTable.deviceFirstSeenAt }).from(sessionTable).where(eq(sessionTable.id, idc));
    expect(Date.now() - filled[0]!.at!.getTime()).toBeLessThan(HOUR);
    // Set them here directly: 2 h ago, 25 h ago, and unknown (a session from before device cookies).
    for (const [id, at] of [[ida, now - 2 * HOUR], [idb, now - 25 * HOUR], [idc, null]] as const) {
      await getDb().update(sessionTable).set({ deviceFirstSeenAt: at === null ? null : new Date(at) }).where(eq(sessionTable.id, id));
    }
    // Lose the index: the list comes from Postgres, then the rebuilt index carries the times.
    await getSessionIndex().clear();
    for (const source of ["postgres", "index"]) {
      const byId = new Map((await list(a)).map((s) => [s.id, s]));
      expect(byId.get(ida), source).toMatchObject({ isNewDevice: true, deviceFirstSeenAt: new Date(now - 2 * HOUR).toISOString() });
      expect(byId.get(idb), source).toMatchObject({ isNewDevice: false, deviceFirstSeenAt: new Date(now - 25 * HOUR).toISOString() });
      expect(byId.get(idc), source).toMatchObject({ isNewDevice: false, deviceFirstSeenAt: null });
      await flushRepairs();
    }
    expect((await getSessionIndex().listChecked(await userIdOf(email))).complete).toBe(true);
  });
});
