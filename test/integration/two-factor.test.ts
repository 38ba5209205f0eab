// Two-factor authentication through better-auth's real handler, with a real TOTP generator
// (otpauth): the password step creates no session, the second step does (indexed, listed
// with its method, announced), backup codes work once, "trust this device" follows the
// device cookie and ends with revocation, sign-out-everywhere, a reset and 2FA off.
import { and, eq } from "drizzle-orm";
import * as OTPAuth from "otpauth";
import { describe, expect, it, vi } from "vitest";
import { getDb } from "@/db";
import { knownDevice, securityEvent, session as sessionTable, usedTotpCode, user } from "@/db/schema";
import { env } from "@/lib/env";
import { GET as listRoute } from "@/app/api/sessions/route";
import { POST as revokeRoute } from "@/app/api/sessions/revoke/route";
import { flushBackground } from "@/lib/background";
import { flushRepairs } from "@/lib/sessions/repairs";
import { Browser, PASSWORD, signUpVerified, waitForEmail } from "../support/browser";
import { backdateSignIn, bothStores, sessionIdOf, userIdOf } from "../support/sessions";
import { withRateLimits } from "../support/rate-limits";

interface Enabled {
  b: Browser;
  email: string;
  userId: string;
  totp: OTPAuth.TOTP;
  backupCodes: string[];
}

/** The code the authenticator app shows now (or for the next period, so a reused code is not replayed). */
const codeOf = (totp: OTPAuth.TOTP, offset = 0) => totp.generate({ timestamp: Date.now() + offset * 30_000 });

async function enabled(): Promise<Enabled> {
  const b = new Browser();
  const { email } = await signUpVerified(b);
  const userId = await userIdOf(email);
  const res = await b.auth("/two-factor/enable", { password: PASSWORD });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { totpURI: string; backupCodes: string[] };
  const totp = OTPAuth.URI.parse(body.totpURI) as OTPAuth.TOTP;
  const confirm = await b.auth("/two-factor/verify-totp", { code: codeOf(totp) });
  expect(confirm.status).toBe(200);
  await flushBackground();
  return { b, email, userId, totp, backupCodes: body.backupCodes };
}

async function passwordStep(b: Browser, email: string) {
  const res = await b.auth("/sign-in/email", { email, password: PASSWORD });
  await flushBackground();
  return res;
}

async function deviceOf(b: Browser, userId: string) {
  const [row] = await getDb().select({ deviceId: sessionTable.deviceId }).from(sessionTable).where(eq(sessionTable.id, await sessionIdOf(b)));
  const [device] = await getDb()
    .select()
    .from(knownDevice)
    .where(and(eq(knownDevice.userId, userId), eq(knownDevice.deviceId, row!.deviceId!)));
  return device!;
}

async function events(userId: string) {
  await flushBackground();
  return getDb().select().from(securityEvent).where(eq(securityEvent.userId, userId));
}

describe("turning two-factor on", () => {
  it("needs the password and a fresh sign-in, keeps the browser signed in, emails and records it", async () => {
    const b = new Browser();
    const { email } = await signUpVerified(b);
    const userId = await userIdOf(email);
    expect((await b.auth("/two-factor/enable", { password: "wrong password!" })).status).toBe(400);
    await backdateSignIn(await sessionIdOf(b), 60 * 60 * 1000);
    const stale = await b.auth("/two-factor/enable", { password: PASSWORD });
    expect(stale.status).toBe(403);
    expect((await stale.json()).code).toBe("REAUTHENTICATION_REQUIRED");

    const fresh = new Browser();
    const started = Date.now();
    await fresh.auth("/sign-in/email", { email, password: PASSWORD });
    const res = await fresh.auth("/two-factor/enable", { password: PASSWORD });
    expect(res.status).toBe(200);
    const { totpURI, backupCodes } = (await res.json()) as { totpURI: string; backupCodes: string[] };
    expect(totpURI).toMatch(/^otpauth:\/\/totp\/Revocable:/);
    expect(backupCodes.length).toBeGreaterThanOrEqual(8);
    // Not on until the app has shown a right code.
    expect((await fresh.auth("/get-session").then((r) => r.json())).user.twoFactorEnabled).toBe(false);
    const totp = OTPAuth.URI.parse(totpURI) as OTPAuth.TOTP;
    expect((await fresh.auth("/two-factor/verify-totp", { code: "000000" === codeOf(totp) ? "111111" : "000000" })).status).toBe(401);
    const confirm = await fresh.auth("/two-factor/verify-totp", { code: codeOf(totp) });
    expect(confirm.status).toBe(200);
    // The session was re-issued: still signed in, indexed, and keeping its sign-in method.
    const session = await fresh.auth("/get-session");
    expect(session.status).toBe(200);
    expect((await session.json()).user.twoFactorEnabled).toBe(true);
    await flushRepairs();
    const stores = await bothStores(userId);
    expect(stores.redis).toEqual(stores.postgres);
    expect((await waitForEmail(email, "second-factor-changed", started)).subject).toBe("Two-factor authentication was turned on");
    expect((await events(userId)).map((e) => e.type)).toContain("two-factor-enabled");
  });
});

describe("confirming the app needs a live session", () => {
  it("an idle session cannot confirm it (the front door's check runs on the public second step too)", async () => {
    const b = new Browser();
    const { email } = await signUpVerified(b);
    const res = await b.auth("/two-factor/enable", { password: PASSWORD });
    const totp = OTPAuth.URI.parse(((await res.json()) as { totpURI: string }).totpURI) as OTPAuth.TOTP;
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + env().SESSION_IDLE_TIMEOUT * 1000 + 3_000 });
    try {
      const confirm = await b.auth("/two-factor/verify-totp", { code: codeOf(totp) });
      expect(confirm.status).toBe(401);
      expect((await confirm.json()).code).toBe("UNAUTHENTICATED");
    } finally {
      vi.useRealTimers();
    }
    const [u] = await getDb().select({ on: user.twoFactorEnabled }).from(user).where(eq(user.id, await userIdOf(email)));
    expect(u!.on).toBe(false);
  });
});

describe("signing in with two-factor on", () => {
  it("the password step creates no session at all: nothing in Postgres, nothing indexed, no cookie, no email", async () => {
    const { email, userId } = await enabled();
    const before = await bothStores(userId);
    const b = new Browser();
    const started = Date.now();
    const res = await passwordStep(b, email);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ twoFactorRedirect: true, twoFactorMethods: ["totp"] });
    expect(b.signedIn()).toBe(false);
    expect([...b.cookies.keys()]).toContain("rv.two_factor");
    await flushRepairs();
    expect(await bothStores(userId)).toEqual(before);
    expect((await b.auth("/get-session")).status).toBe(401);
    const signIns = (await events(userId)).filter((e) => e.type === "sign-in" && e.createdAt.getTime() >= started);
    expect(signIns).toEqual([]);
  });

  it("the second step with the authenticator app creates the session: indexed, listed as password + authenticator app, announced", async () => {
    const { email, userId, totp } = await enabled();
    const b = new Browser();
    const started = Date.now();
    await passwordStep(b, email);
    expect((await b.auth("/two-factor/verify-totp", { code: "12345" })).status).toBe(401);
    const res = await b.auth("/two-factor/verify-totp", { code: codeOf(totp, 1) });
    expect(res.status).toBe(200);
    expect((await res.json()).token).toBeNull();
    expect(b.signedIn()).toBe(true);
    await flushRepairs();
    const stores = await bothStores(userId);
    expect(stores.postgres).toContain(await sessionIdOf(b));
    expect(stores.redis).toEqual(stores.postgres);
    const list = (await (await b.api(listRoute, "/api/sessions")).json()) as { sessions: { isCurrent: boolean; signInMethod: string }[] };
    expect(list.sessions.find((s) => s.isCurrent)?.signInMethod).toBe("password+totp");
    const mail = await waitForEmail(email, "new-sign-in", started);
    expect(mail.subject).toBeTruthy();
    const signIn = (await events(userId)).find((e) => e.type === "sign-in" && e.createdAt.getTime() >= started);
    expect(signIn?.detail).toMatchObject({ method: "password+totp" });
  });

  it("an authenticator code signs in once: the same code on another device is refused, the next one works", async () => {
    const { email, userId, totp } = await enabled();
    const code = codeOf(totp, 1);
    const first = new Browser();
    await passwordStep(first, email);
    expect((await first.auth("/two-factor/verify-totp", { code })).status).toBe(200);
    // Still inside better-auth's window, on another device with its own challenge.
    const second = new Browser();
    await passwordStep(second, email);
    const replay = await second.auth("/two-factor/verify-totp", { code });
    expect(replay.status).toBe(401);
    expect((await replay.json()).code).toBe("TOTP_CODE_USED");
    expect(second.signedIn()).toBe(false);
    // The refusal did not spend the challenge: another code from the app finishes it.
    const next = codeOf(totp, 0) === code ? codeOf(totp, -1) : codeOf(totp, 0);
    expect((await second.auth("/two-factor/verify-totp", { code: next })).status).toBe(200);
    const claims = await getDb().select().from(usedTotpCode).where(eq(usedTotpCode.userId, userId));
    expect(claims.map((c) => c.code).sort()).toEqual([code, next].sort());
  });

  it("two devices racing with one code: exactly one is signed in", async () => {
    const { email, totp } = await enabled();
    const code = codeOf(totp, 1);
    const browsers = [new Browser(), new Browser(), new Browser()];
    for (const b of browsers) await passwordStep(b, email);
    const answers = await Promise.all(browsers.map((b) => b.auth("/two-factor/verify-totp", { code })));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 401, 401]);
    expect(browsers.filter((b) => b.signedIn()).length).toBe(1);
  });

  it("a wrong code leaves no claim behind", async () => {
    const { email, userId, totp } = await enabled();
    const b = new Browser();
    await passwordStep(b, email);
    const valid = new Set([-1, 0, 1].map((o) => codeOf(totp, o)));
    const wrong = ["000000", "111111", "222222", "333333"].find((c) => !valid.has(c))!;
    expect((await b.auth("/two-factor/verify-totp", { code: wrong })).status).toBe(401);
    expect(await getDb().select().from(usedTotpCode).where(eq(usedTotpCode.userId, userId))).toEqual([]);
  });

  it("a backup code signs in once, shows as password + backup code, and is recorded", async () => {
    const { email, userId, backupCodes } = await enabled();
    const b = new Browser();
    await passwordStep(b, email);
    const res = await b.auth("/two-factor/verify-backup-code", { code: backupCodes[0] });
    expect(res.status).toBe(200);
    const [row] = await getDb().select({ m: sessionTable.signInMethod }).from(sessionTable).where(eq(sessionTable.id, await sessionIdOf(b)));
    expect(row!.m).toBe("password+backup-code");
    expect((await events(userId)).map((e) => e.type)).toContain("backup-code-used");
    // Spent: the same code does not sign in again.
    const again = new Browser();
    await passwordStep(again, email);
    expect((await again.auth("/two-factor/verify-backup-code", { code: backupCodes[0] })).status).toBe(401);
    expect(again.signedIn()).toBe(false);
  });

  it("a wrong code is refused, and the challenge dies after 5 wrong codes", async () => {
    const { email, totp } = await enabled();
    const b = new Browser();
    await passwordStep(b, email);
    const wrong = codeOf(totp) === "000000" ? "111111" : "000000";
    for (let i = 0; i < 5; i++) expect((await b.auth("/two-factor/verify-totp", { code: wrong })).status).toBe(401);
    const res = await b.auth("/two-factor/verify-totp", { code: codeOf(totp, 1) });
    expect(res.status).toBe(400);
    expect(b.signedIn()).toBe(false);
  });

  it("without the password step's cookie there is nothing to verify; hostile input gets 4xx JSON", async () => {
    const { totp } = await enabled();
    const anon = new Browser();
    const res = await anon.auth("/two-factor/verify-totp", { code: codeOf(totp) });
    expect(res.status).toBe(401);
    expect(anon.signedIn()).toBe(false);
    for (const body of [{ code: { $ne: 1 } }, { code: "1".repeat(10_000) }, "not json", { code: "123456", trustDevice: "yes" }]) {
      const r = await anon.auth("/two-factor/verify-totp", body);
      expect(r.status, JSON.stringify(body).slice(0, 40)).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(await r.json()).toHaveProperty("message");
    }
  });
});

describe("trust this device", () => {
  async function trusted() {
    const e = await enabled();
    const b = new Browser();
    await passwordStep(b, e.email);
    expect((await b.auth("/two-factor/verify-totp", { code: codeOf(e.totp, 1), trustDevice: true })).status).toBe(200);
    // better-auth's own trust cookie is not used: the app's device cookie carries the trust.
    expect([...b.cookies.keys()].some((k) => k.includes("trust_device"))).toBe(false);
    const device = await deviceOf(b, e.userId);
    expect(device.twoFactorTrustedUntil!.getTime()).toBeGreaterThan(Date.now() + 29 * 24 * 3600 * 1000);
    expect(device.twoFactorTrustedUntil!.getTime()).toBeLessThan(Date.now() + 31 * 24 * 3600 * 1000);
    return { ...e, t: b };
  }

  it("a trusted device skips the second step; another browser does not", async () => {
    const { t, email } = await trusted();
    await t.auth("/sign-out", {});
    const res = await passwordStep(t, email);
    expect(res.status).toBe(200);
    expect(t.signedIn()).toBe(true);
    const stranger = new Browser();
    expect(await (await passwordStep(stranger, email)).json()).toMatchObject({ twoFactorRedirect: true });
  });

  it("revoking the trusted device ends its trust", async () => {
    const { t, email, b } = await trusted();
    const revoked = await b.api(revokeRoute, "/api/sessions/revoke", { body: { sessionId: await sessionIdOf(t), password: PASSWORD } });
    expect(revoked.status).toBe(200);
    t.cookies.delete("rv.session_token");
    expect(await (await passwordStep(t, email)).json()).toMatchObject({ twoFactorRedirect: true });
  });

  it("signing out everywhere ends every device's trust", async () => {
    const { t, email, b } = await trusted();
    expect((await b.api(revokeRoute, "/api/sessions/revoke", { body: { all: true, password: PASSWORD } })).status).toBe(200);
    t.cookies.delete("rv.session_token");
    expect(await (await passwordStep(t, email)).json()).toMatchObject({ twoFactorRedirect: true });
  });

  it("turning two-factor off ends the trust (fresh sign-in, password, email)", async () => {
    const { t, email, userId } = await trusted();
    const started = Date.now();
    const res = await t.auth("/two-factor/disable", { password: PASSWORD });
    expect(res.status).toBe(200);
    expect((await t.auth("/get-session")).status).toBe(200);
    expect((await deviceOf(t, userId)).twoFactorTrustedUntil).toBeNull();
    expect((await waitForEmail(email, "second-factor-changed", started)).subject).toBe("Two-factor authentication was turned off");
    expect((await events(userId)).map((e) => e.type)).toContain("two-factor-disabled");
  });

  it("a password reset ends the trust", async () => {
    const { t, email, userId } = await trusted();
    const started = Date.now();
    await new Browser().auth("/request-password-reset", { email, redirectTo: "/reset-password" });
    const mail = await waitForEmail(email, "password-reset", started, 10_000);
    const token = new URL(mail.link).pathname.split("/").pop() ?? new URL(mail.link).searchParams.get("token");
    const reset = await new Browser().auth("/reset-password", { token, newPassword: "another long password" });
    expect(reset.status).toBe(200);
    const [row] = await getDb().select().from(knownDevice).where(eq(knownDevice.userId, userId));
    expect(row!.twoFactorTrustedUntil).toBeNull();
    t.cookies.delete("rv.session_token");
    const res = await t.auth("/sign-in/email", { email, password: "another long password" });
    expect(await res.json()).toMatchObject({ twoFactorRedirect: true });
  });
});

describe("backup codes", () => {
  it("can be regenerated with the password (old ones stop working) and the change is recorded", async () => {
    const { b, email, userId, backupCodes } = await enabled();
    const res = await b.auth("/two-factor/generate-backup-codes", { password: PASSWORD });
    expect(res.status).toBe(200);
    const fresh = (await res.json()).backupCodes as string[];
    expect(fresh).not.toContain(backupCodes[1]);
    expect((await events(userId)).map((e) => e.type)).toContain("backup-codes-regenerated");
    const other = new Browser();
    await passwordStep(other, email);
    expect((await other.auth("/two-factor/verify-backup-code", { code: backupCodes[1] })).status).toBe(401);
    expect((await other.auth("/two-factor/verify-backup-code", { code: fresh[0] })).status).toBe(200);
  });
});

describe("the second step is rate limited", () => {
  withRateLimits();

  it("per client: past 10 codes in 5 minutes from one address, 429 even with a fresh challenge", async () => {
    const { email, totp } = await enabled();
    const b = new Browser();
    const wrong = () => (codeOf(totp) === "000000" ? "111111" : "000000");
    let refused: Response | null = null;
    for (let i = 0; i < 12 && !refused; i++) {
      // A new challenge every 4 codes, so the per-challenge cap of 5 is not what stops it.
      if (i % 4 === 0) expect((await passwordStep(b, email)).status).toBe(200);
      const res = await b.auth("/two-factor/verify-totp", { code: wrong() });
      if (res.status === 429) refused = res;
      else expect(res.status).toBe(401);
    }
    expect(refused?.status).toBe(429);
    expect(refused?.headers.get("retry-after") ?? refused?.headers.get("x-retry-after")).toBeTruthy();
    // The right code from this address is refused too, until the window passes.
    expect((await b.auth("/two-factor/verify-totp", { code: codeOf(totp, 1) })).status).toBe(429);
    expect(b.signedIn()).toBe(false);
  });

  it("per account: 10 wrong codes in a row lock the second step, from any address", async () => {
    const { email, totp } = await enabled();
    const wrong = () => (codeOf(totp) === "000000" ? "111111" : "000000");
    // Different addresses, a new challenge each time: neither limit above applies.
    for (let i = 0; i < 10; i++) {
      const b = new Browser();
      await passwordStep(b, email);
      expect((await b.auth("/two-factor/verify-totp", { code: wrong() })).status).toBe(401);
    }
    const owner = new Browser();
    await passwordStep(owner, email);
    const locked = await owner.auth("/two-factor/verify-totp", { code: codeOf(totp, 1) });
    expect(locked.status).toBe(429);
    expect(owner.signedIn()).toBe(false);
  });
});
