// Device identity by a signed device cookie (src/lib/auth/device-identity.ts) and the
// per-account sign-in limit that counts failures only and spares the owner's known browsers
// (src/lib/auth/rate-limit.ts).
import { and, desc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { knownDevice, session } from "@/db/schema";
import { DEVICE_COOKIE_MAX_AGE } from "@/lib/auth/device-identity";
import { ACCOUNT_RULE, DEVICE_RULE } from "@/lib/auth/rate-limit";
import { flushBackground } from "@/lib/background";
import { flushMail } from "@/lib/mail";
import { confirmReport } from "@/lib/security/report-sign-in";
import { flushRepairs } from "@/lib/sessions/repairs";
import { withRateLimits } from "../support/rate-limits";
import { Browser, PASSWORD, signIn, signUpVerified, UA, waitForEmail } from "../support/browser";
import { userIdOf } from "../support/sessions";

const COOKIE = "rv.device_id";

/** The id a device cookie carries (value "<id>.<signature>", percent-encoded). */
const idOf = (b: Browser) => decodeURIComponent(b.cookies.get(COOKIE) ?? "").split(".")[0]!;

async function latestSession(userId: string) {
  const [row] = await getDb()
    .select({ deviceId: session.deviceId, firstSeen: session.deviceFirstSeenAt })
    .from(session)
    .where(eq(session.userId, userId))
    .orderBy(desc(session.createdAt))
    .limit(1);
  return row!;
}

describe("the device cookie", () => {
  it("is set on sign-in: random, signed, HttpOnly, SameSite=Lax, long-lived", async () => {
    const b = new Browser();
    const { email } = await signUpVerified(b);
    const res = await b.auth("/sign-in/email", { email, password: PASSWORD });
    const line = res.headers.getSetCookie().find((c) => c.startsWith(`${COOKIE}=`))!;
    expect(line).toBeDefined();
    expect(line).toMatch(/; HttpOnly/i);
    expect(line).toMatch(/; SameSite=Lax/i);
    expect(line).toMatch(/; Path=\//i);
    expect(line).toContain(`Max-Age=${DEVICE_COOKIE_MAX_AGE}`);
    expect(idOf(b)).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it("identifies the browser across sessions: the session rows carry its id and first-seen time", async () => {
    const b = new Browser();
    const { email } = await signUpVerified(b);
    const userId = await userIdOf(email);
    const id = idOf(b);
    const first = await latestSession(userId);
    expect(first.deviceId).toBe(id);
    const [known] = await getDb()
      .select()
      .from(knownDevice)
      .where(and(eq(knownDevice.userId, userId), eq(knownDevice.deviceId, id)));
    expect(first.firstSeen?.getTime()).toBe(known!.firstSeenAt.getTime());

    await b.auth("/sign-out", {});
    expect(b.signedIn()).toBe(false);
    await signIn(b, email);
    const again = await latestSession(userId);
    expect(idOf(b)).toBe(id);
    expect(again.deviceId).toBe(id);
    expect(again.firstSeen?.getTime()).toBe(first.firstSeen?.getTime());

    // Another browser of the very same kind is another device.
    const twin = new Browser(b.userAgent);
    await signIn(twin, email);
    expect(idOf(twin)).not.toBe(id);
    expect((await latestSession(userId)).deviceId).toBe(idOf(twin));
  });

  it("a forged or unsigned value counts as absent: a new id, a new device", async () => {
    const b = new Browser();
    const { email } = await signUpVerified(b);
    const userId = await userIdOf(email);
    const known = idOf(b);
    const [, signature] = decodeURIComponent(b.cookies.get(COOKIE)!).split(".");

    for (const forged of [known, `${known.slice(0, -1)}${known.endsWith("A") ? "B" : "A"}.${signature}`, "attacker-chosen-id-0000"]) {
      const thief = new Browser(b.userAgent);
      thief.cookies.set(COOKIE, encodeURIComponent(forged));
      await signIn(thief, email);
      const row = await latestSession(userId);
      expect(row.deviceId).not.toBe(known);
      expect(row.deviceId).not.toBe(forged.split(".")[0]);
      expect(idOf(thief)).toBe(row.deviceId);
    }
  });

  it("one browser shared by two accounts is a known device of each, separately", async () => {
    const shared = new Browser(UA.windowsFirefox);
    const { email: first } = await signUpVerified(shared);
    const id = idOf(shared);
    await shared.auth("/sign-out", {});
    const { email: second } = await signUpVerified(shared);
    expect(idOf(shared)).toBe(id);
    for (const email of [first, second]) {
      const rows = await getDb().select().from(knownDevice).where(eq(knownDevice.userId, await userIdOf(email)));
      expect(rows.map((r) => r.deviceId)).toEqual([id]);
    }
  });
});

describe("the per-account sign-in limit", () => {
  withRateLimits();

  /** A wrong password from a stranger's browser (its own address each time). */
  const strangerTries = async (email: string) => (await new Browser().auth("/sign-in/email", { email, password: "a wrong guess 123" })).status;

  it("counts failed attempts only", async () => {
    const { email } = await signUpVerified(new Browser());
    const half = ACCOUNT_RULE.max / 2;
    const statuses: number[] = [];
    for (let i = 0; i < half; i++) statuses.push(await strangerTries(email));
    // Successful sign-ins from new browsers in between: none of them is counted.
    for (let i = 0; i < ACCOUNT_RULE.max; i++) statuses.push((await new Browser().auth("/sign-in/email", { email, password: PASSWORD })).status);
    for (let i = 0; i < half; i++) statuses.push(await strangerTries(email));
    expect(statuses).toEqual([...Array(half).fill(401), ...Array(ACCOUNT_RULE.max).fill(200), ...Array(half).fill(401)]);
    // The budget of failures is spent: now every browser without a known device cookie waits.
    expect(await strangerTries(email)).toBe(429);
    expect((await new Browser().auth("/sign-in/email", { email, password: PASSWORD })).status).toBe(429);
  });

  it("a stranger's failures do not lock the owner out of a browser they have signed in from", async () => {
    const laptop = new Browser();
    const { email } = await signUpVerified(laptop);
    await laptop.auth("/sign-out", {});
    for (let i = 0; i < ACCOUNT_RULE.max; i++) expect(await strangerTries(email)).toBe(401);
    expect(await strangerTries(email)).toBe(429);

    // The owner's browser holds a device cookie known for the account: not limited per account.
    expect((await laptop.auth("/sign-in/email", { email, password: "owner typo 12345" })).status).toBe(401);
    expect((await laptop.auth("/sign-in/email", { email, password: PASSWORD })).status).toBe(200);
    expect(laptop.signedIn()).toBe(true);

    // A copy of its cookie value with the signature broken does not pass for it.
    const forger = new Browser();
    const value = decodeURIComponent(laptop.cookies.get(COOKIE)!);
    // Change the signature's first character: its last one carries only 4 bits, so
    // swapping it for a character with the same 4 (1 time in 16) left the cookie valid.
    const dot = value.lastIndexOf(".");
    const flipped = value[dot + 1] === "A" ? "B" : "A";
    forger.cookies.set(COOKIE, encodeURIComponent(`${value.slice(0, dot + 1)}${flipped}${value.slice(dot + 2)}`));
    expect((await forger.auth("/sign-in/email", { email, password: PASSWORD })).status).toBe(429);
  });

  /** Strangers spend the account's whole budget of failures: from now on only an exempt browser gets a 401. */
  async function exhaustAccount(email: string) {
    for (let i = 0; i < ACCOUNT_RULE.max; i++) expect(await strangerTries(email)).toBe(401);
    expect(await strangerTries(email)).toBe(429);
  }

  /** A wrong password from the browser's device cookie, sent from a new address (no per-address limit comes into it). */
  const wrongFrom = async (b: Browser, email: string) => {
    const elsewhere = new Browser(b.userAgent);
    elsewhere.cookies.set(COOKIE, b.cookies.get(COOKIE)!);
    return (await elsewhere.auth("/sign-in/email", { email, password: "a wrong guess 123" })).status;
  };

  it("a known device's exemption is bounded: past its own few failures it shares the account's budget like any browser", async () => {
    const intruder = new Browser();
    const { email } = await signUpVerified(intruder); // signed in once: a known device from now on
    await intruder.auth("/sign-out", {});
    await exhaustAccount(email);
    const statuses: number[] = [];
    for (let i = 0; i < DEVICE_RULE.max + 3; i++) statuses.push(await wrongFrom(intruder, email));
    expect(statuses).toEqual([...Array(DEVICE_RULE.max).fill(401), ...Array(3).fill(429)]);
  });

  it("a right password gives the device's slot back: the owner's own typos do not run its budget down", async () => {
    const laptop = new Browser();
    const { email } = await signUpVerified(laptop);
    await laptop.auth("/sign-out", {});
    await exhaustAccount(email);
    for (let round = 0; round < DEVICE_RULE.max + 1; round++) {
      expect((await laptop.auth("/sign-in/email", { email, password: PASSWORD })).status).toBe(200);
      await laptop.auth("/sign-out", {});
    }
    for (let i = 0; i < DEVICE_RULE.max; i++) expect(await wrongFrom(laptop, email)).toBe(401);
  });

  it("'This wasn't me' ends the reported device's exemption, even when that session had already ended", async () => {
    const owner = new Browser(UA.macChrome);
    const { email } = await signUpVerified(owner);
    const intruder = new Browser(UA.iphoneSafari);
    await signIn(intruder, email);
    await flushRepairs();
    await flushBackground();
    await flushMail();
    const token = new URL((await waitForEmail(email, "new-sign-in")).link).searchParams.get("token")!;
    // The intruder signs out first, hoping to keep the device's exemption.
    await intruder.auth("/sign-out", {});
    expect(await confirmReport(token)).toMatchObject({ ok: true, kind: "session", ended: 0 });
    await exhaustAccount(email);
    expect(await wrongFrom(intruder, email)).toBe(429);
    // The owner's device, not reported, keeps its exemption.
    expect(await wrongFrom(owner, email)).toBe(401);
  });

  it("a password reset ends the exemption of every device of the account until it signs in again", async () => {
    const laptop = new Browser(UA.macChrome);
    const { email } = await signUpVerified(laptop);
    const phone = new Browser(UA.iphoneSafari);
    await signIn(phone, email);
    const before = Date.now();
    expect((await new Browser().auth("/request-password-reset", { email, redirectTo: "/reset-password" })).status).toBe(200);
    await flushBackground();
    await flushMail();
    const link = await waitForEmail(email, "password-reset", before);
    const NEW_PASSWORD = "a brand new passphrase";
    const reset = await new Browser().auth("/reset-password", { newPassword: NEW_PASSWORD, token: new URL(link.link).pathname.split("/").pop()! });
    expect(reset.status).toBe(200);
    await flushBackground();
    // The laptop proves the new password; the phone (say, the intruder's) does not.
    expect((await laptop.auth("/sign-in/email", { email, password: NEW_PASSWORD })).status).toBe(200);
    await laptop.auth("/sign-out", {});
    await exhaustAccount(email);
    expect(await wrongFrom(phone, email)).toBe(429);
    expect(await wrongFrom(laptop, email)).toBe(401);
  });

  it("a device cookie known for another account does not exempt", async () => {
    const { email: victim } = await signUpVerified(new Browser());
    const attacker = new Browser();
    await signUpVerified(attacker); // the attacker's browser is a known device of the attacker's account
    await attacker.auth("/sign-out", {});
    for (let i = 0; i < ACCOUNT_RULE.max; i++) expect(await strangerTries(victim)).toBe(401);
    expect((await attacker.auth("/sign-in/email", { email: victim, password: "a wrong guess 123" })).status).toBe(429);
  });
});
