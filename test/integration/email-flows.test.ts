// The auth flows that send email, through better-auth's real handler and this run's
// Postgres, following the links the way a person would: from the outbox.
import { readFile, writeFile, mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { and, eq, like, sql } from "drizzle-orm";
import { createEmailVerificationToken } from "better-auth/api";
import { afterEach, describe, expect, it, vi } from "vitest";
import { getDb } from "@/db";
import { user as userTable, verification } from "@/db/schema";
import { parseUserAgent } from "@/lib/device";
import { resetEnvForTests } from "@/lib/env";
import { flushBackground } from "@/lib/background";
import { flushMail } from "@/lib/mail";
import type { OutboxEnvelope } from "@/lib/mail/outbox";
import {
  followVerificationLink,
  Browser,
  ORIGIN,
  outbox,
  PASSWORD,
  signIn,
  signUpVerified,
  UA,
  uniqueEmail,
  waitForEmail,
  type OutboxMessage,
} from "../support/browser";

const NEW_PASSWORD = "a brand new passphrase 42";
const ACTIVE_DEVICES = `${ORIGIN}/settings/security`;
const SECURE_ACCOUNT = `${ORIGIN}/forgot-password`;

/** The whole message: envelope + both rendered parts, read from the outbox files. */
async function read(m: OutboxMessage): Promise<OutboxEnvelope & { htmlBody: string; textBody: string }> {
  const dir = process.env.OUTBOX_DIR!;
  const envelope = JSON.parse(await readFile(path.join(dir, m.file), "utf8")) as OutboxEnvelope;
  const [htmlBody, textBody] = await Promise.all([
    readFile(path.join(dir, envelope.html), "utf8"),
    readFile(path.join(dir, envelope.text), "utf8"),
  ]);
  return { ...envelope, htmlBody, textBody };
}

/** Messages of a template to an address, once every started send has finished. */
async function sent(to: string, template: string, after = 0): Promise<OutboxMessage[]> {
  await flushBackground(); // sign-up and reset requests do their work after answering
  await flushMail();
  return (await outbox()).filter((m) => m.to === to && m.template === template && Date.parse(m.sentAt) >= after);
}

/** better-auth paths are mounted under /api/auth; Browser.auth() takes the rest. */
function authPath(link: string): string {
  const url = new URL(link);
  expect(url.origin).toBe(ORIGIN);
  expect(url.pathname.startsWith("/api/auth/")).toBe(true);
  return `${url.pathname.replace(/^\/api\/auth/, "")}${url.search}`;
}

/** The browser's session per get-session, or null when the app's check refuses it (401). */
async function sessionOf(b: Browser): Promise<unknown> {
  const res = await b.auth("/get-session");
  if (res.status === 401) return null;
  expect(res.status).toBe(200);
  return res.json();
}

async function requestReset(email: string, from = new Browser(UA.windowsFirefox)) {
  const res = await from.auth("/request-password-reset", { email, redirectTo: "/reset-password" });
  return { status: res.status, body: (await res.json()) as unknown };
}

/** Follows the emailed reset link: better-auth redirects to our page with ?token=. */
async function followResetLink(b: Browser, link: string): Promise<URL> {
  const res = await b.auth(authPath(link));
  expect(res.status).toBe(302);
  return new URL(res.headers.get("location")!, ORIGIN);
}

describe("sign up, verify, sign in", () => {
  it("emails a verification link (HTML + text + envelope) that verifies and signs in", async () => {
    const b = new Browser(UA.macChrome);
    const email = uniqueEmail("verify");
    const started = Date.now();
    const res = await b.auth("/sign-up/email", { email, password: PASSWORD, name: "Vera Fy" });
    expect(res.status).toBe(200);
    expect(b.signedIn()).toBe(false);

    const m = await read(await waitForEmail(email, "verify-email", started));
    expect(m.subject).toBe("Confirm your email address");
    expect(m.transport).toBe("outbox");
    expect(m.link).toMatch(new RegExp(`^${ORIGIN}/api/auth/verify-email\\?token=[^&]+&callbackURL=`));
    expect(m.textBody).toContain(m.link);
    expect(m.htmlBody).toContain(`href="${m.link.replaceAll("&", "&amp;")}"`);
    expect(m.textBody).toContain("expires in 24 hours");
    // Not "Hi Vera Fy,": until the address is verified the name is whoever signed up's.
    expect(m.textBody).toContain("Hi,");
    expect(m.textBody).not.toContain("Vera Fy");

    const verify = await followVerificationLink(b, m.link);
    expect(verify.confirm?.status).toBe(200);
    expect(b.signedIn()).toBe(true);
    const [u] = await getDb().select().from(userTable).where(eq(userTable.email, email));
    expect(u?.emailVerified).toBe(true);

    // Verified: a welcome, and no new-sign-in alert for the first device ever used.
    const welcome = await read(await waitForEmail(email, "welcome", started));
    expect(welcome.link).toBe(ACTIVE_DEVICES);
    expect(await sent(email, "new-sign-in")).toHaveLength(0);

    await b.auth("/sign-out", {});
    await signIn(b, email);
    expect(b.signedIn()).toBe(true);
  });

  it("a sign-in before verification is refused and sends a fresh link", async () => {
    const b = new Browser();
    const email = uniqueEmail("unverified");
    expect((await b.auth("/sign-up/email", { email, password: PASSWORD, name: "U" })).status).toBe(200);
    await flushBackground();
    const afterSignUp = Date.now();
    await new Promise((r) => setTimeout(r, 5));
    const res = await b.auth("/sign-in/email", { email, password: PASSWORD });
    expect(res.status).toBe(403);
    const again = await waitForEmail(email, "verify-email", afterSignUp + 1);
    expect((await followVerificationLink(b, again.link)).confirm?.status).toBe(200);
    expect(b.signedIn()).toBe(true);
  });

  it("refuses an expired verification link and leaves the address unverified", async () => {
    const b = new Browser();
    const email = uniqueEmail("expired-verify");
    expect((await b.auth("/sign-up/email", { email, password: PASSWORD, name: "E" })).status).toBe(200);
    await flushBackground();
    // A token exactly like the emailed one, but whose 24 hours ran out a minute ago.
    const token = await createEmailVerificationToken(process.env.BETTER_AUTH_SECRET!, email, undefined, -60);
    const res = await b.auth(`/verify-email?token=${token}`);
    expect(res.status).toBe(401);
    expect(JSON.stringify(await res.json())).toMatch(/expired/i);
    expect(b.signedIn()).toBe(false);
    const [u] = await getDb().select().from(userTable).where(eq(userTable.email, email));
    expect(u?.emailVerified).toBe(false);
  });
});

describe("forgot password and reset", () => {
  it("answers the same whether or not the address exists, and mails only a real account", async () => {
    const { email } = await signUpVerified(new Browser());
    const nobody = uniqueEmail("nobody");
    const started = Date.now();
    const known = await requestReset(email);
    const unknown = await requestReset(nobody);
    expect(unknown).toEqual(known);
    expect(known.status).toBe(200);
    expect(await sent(email, "password-reset", started)).toHaveLength(1);
    expect(await sent(nobody, "password-reset")).toHaveLength(0);
  });

  it("resets with the emailed link, ends every session, mails password-changed; the link is single use", async () => {
    const laptop = new Browser(UA.macChrome);
    const { email } = await signUpVerified(laptop);
    const phone = new Browser(UA.iphoneSafari);
    await signIn(phone, email);

    const kiosk = new Browser(UA.windowsFirefox, "193.0.6.139"); // a Dutch address
    const started = Date.now();
    expect((await requestReset(email, kiosk)).status).toBe(200);
    const mail = await read(await waitForEmail(email, "password-reset", started));
    expect(mail.link).toMatch(new RegExp(`^${ORIGIN}/api/auth/reset-password/[^/?]+\\?callbackURL=%2Freset-password$`));
    expect(mail.textBody).toContain(mail.link);
    expect(mail.textBody).toContain("expires in 60 minutes");
    expect(mail.textBody).toContain("works only once");

    // The link lands on our /reset-password page with the token.
    const landing = await followResetLink(kiosk, mail.link);
    expect(landing.pathname).toBe("/reset-password");
    const token = landing.searchParams.get("token");
    expect(token).toBeTruthy();
    expect(landing.searchParams.get("error")).toBeNull();

    const reset = await kiosk.auth("/reset-password", { newPassword: NEW_PASSWORD, token });
    expect(reset.status).toBe(200);

    // 7.4.3: a reset ends all sessions, on every device.
    expect(await sessionOf(laptop)).toBeNull();
    expect(await sessionOf(phone)).toBeNull();

    // 6.3.7: password-changed, reason "reset", naming the device that used the link.
    const changed = await read(await waitForEmail(email, "password-changed", started));
    expect(changed.subject).toBe("Your password was changed");
    expect(changed.link).toBe(SECURE_ACCOUNT);
    expect(changed.textBody).toContain("all sessions were signed out, on every device");
    expect(changed.textBody).toContain(`Device: ${parseUserAgent(UA.windowsFirefox).label}`);
    expect(changed.textBody).toContain(`IP address: ${kiosk.ip}`);
    expect(changed.textBody).toContain("Location (approximate): Netherlands"); // looked up at the reset
    expect(changed.textBody).toContain(SECURE_ACCOUNT);

    // Reusing the link: refused by the landing redirect and by the reset endpoint.
    const reused = await followResetLink(kiosk, mail.link);
    expect(reused.searchParams.get("error")).toBe("INVALID_TOKEN");
    const again = await kiosk.auth("/reset-password", { newPassword: "yet another passphrase 7", token });
    expect(again.status).toBe(400);
    expect((await again.json()).code).toBe("INVALID_TOKEN");

    // The new password works, the old one does not.
    expect((await new Browser().auth("/sign-in/email", { email, password: PASSWORD })).status).toBe(401);
    await signIn(new Browser(), email, NEW_PASSWORD);
  });

  it("refuses an expired reset link and leaves the password unchanged", async () => {
    const b = new Browser();
    const { email } = await signUpVerified(b);
    const started = Date.now();
    await requestReset(email);
    const mail = await waitForEmail(email, "password-reset", started);

    const [u] = await getDb().select().from(userTable).where(eq(userTable.email, email));
    const expired = await getDb()
      .update(verification)
      .set({ expiresAt: sql`now() - interval '1 minute'` })
      .where(and(eq(verification.value, u!.id), like(verification.identifier, "reset-password:%")))
      .returning({ id: verification.id });
    expect(expired).toHaveLength(1);

    const landing = await followResetLink(new Browser(), mail.link);
    expect(landing.searchParams.get("error")).toBe("INVALID_TOKEN");
    const token = new URL(mail.link).pathname.split("/").pop();
    const res = await new Browser().auth("/reset-password", { newPassword: NEW_PASSWORD, token });
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe("INVALID_TOKEN");

    await signIn(new Browser(), email, PASSWORD);
    expect(await sent(email, "password-changed")).toHaveLength(0);
  });
});

describe("change password", () => {
  it("mails password-changed naming the device that changed it; other sessions end", async () => {
    const laptop = new Browser(UA.macChrome);
    const { email } = await signUpVerified(laptop);
    const phone = new Browser(UA.iphoneSafari);
    await signIn(phone, email);
    await flushMail();

    const started = Date.now();
    const res = await laptop.auth("/change-password", {
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
      revokeOtherSessions: true,
    });
    expect(res.status).toBe(200);
    expect(await sessionOf(laptop)).not.toBeNull();
    expect(await sessionOf(phone)).toBeNull();

    const m = await read(await waitForEmail(email, "password-changed", started));
    expect(m.link).toBe(SECURE_ACCOUNT);
    expect(m.textBody).toContain("all other sessions were signed out");
    expect(m.textBody).toContain("Device: Chrome 131 on macOS");
    expect(m.textBody).toContain("Browser: Chrome 131");
    expect(m.textBody).toContain("Operating system: macOS 10.15.7");
    expect(m.textBody).toContain(`IP address: ${laptop.ip}`);
    expect(m.textBody).toMatch(/When: \w+ \d{1,2}, \d{4} at \d{1,2}:\d{2}:\d{2} [AP]M UTC/);
    expect(m.htmlBody).toContain("Chrome 131 on macOS");
    // The session better-auth re-issues to the laptop is a known device: no alert.
    expect(await sent(email, "new-sign-in", started)).toHaveLength(0);
  });

  it("sends nothing when the current password is wrong", async () => {
    const b = new Browser();
    const { email } = await signUpVerified(b);
    const started = Date.now();
    const res = await b.auth("/change-password", {
      currentPassword: "not my password 123",
      newPassword: NEW_PASSWORD,
      revokeOtherSessions: true,
    });
    expect(res.status).toBe(400);
    expect(await sent(email, "password-changed", started)).toHaveLength(0);
  });
});

describe("new sign-in alerts", () => {
  it("alerts a browser without the device cookie, once; never one that has signed in before", async () => {
    const laptop = new Browser(UA.macChrome);
    const { email } = await signUpVerified(laptop); // the account's first device: not alerted
    await laptop.auth("/sign-out", {});
    await signIn(laptop, email); // its device cookie outlives the session
    expect(await sent(email, "new-sign-in")).toHaveLength(0);

    // The same browser family and OS on another machine is another device.
    const otherMac = new Browser(UA.macChrome);
    await signIn(otherMac, email);
    expect(await sent(email, "new-sign-in")).toHaveLength(1);

    const phone = new Browser(UA.iphoneSafari);
    await signIn(phone, email);
    const alerts = await sent(email, "new-sign-in");
    expect(alerts).toHaveLength(2);
    const m = await read(alerts.find((a) => a.subject.includes("iPhone"))!);
    const device = parseUserAgent(UA.iphoneSafari);
    expect(m.subject).toBe(`New sign-in to your account from ${device.label}`);
    // The action is "this wasn't me" for that session; Active devices is linked too.
    expect(m.link).toMatch(new RegExp(`^${ORIGIN}/report-sign-in\\?token=[A-Za-z0-9_.-]+$`));
    for (const part of [m.textBody, m.htmlBody]) {
      expect(part).toContain(device.label);
      expect(part).toContain(device.browser!);
      expect(part).toContain(device.os!);
      expect(part).toContain(phone.ip);
      expect(part).toContain(ACTIVE_DEVICES);
    }
    expect(m.textBody).toMatch(/Time: \w+ \d{1,2}, \d{4} at \d{1,2}:\d{2}:\d{2} [AP]M UTC/);

    // Every one of them is known now, whatever its address.
    for (const b of [phone, otherMac, laptop]) await signIn(b, email);
    expect(await sent(email, "new-sign-in")).toHaveLength(2);
  });
});

describe("text a stranger chose never reaches someone else's inbox", () => {
  const HOSTILE = "SECURITY ALERT call +1-555-0100 or visit https://evil.example/fix";
  const leaks = /5550100|555-0100|evil|SECURITY ALERT/i;

  it("a sign-up's name is not echoed into the verification email, nor into a reset email before the address is verified", async () => {
    const email = uniqueEmail("victim");
    const started = Date.now();
    // A stranger signs up with someone else's address and a "name" that is a message.
    expect((await new Browser().auth("/sign-up/email", { email, password: PASSWORD, name: HOSTILE })).status).toBe(200);
    const verify = await read(await waitForEmail(email, "verify-email", started));
    expect(`${verify.subject}\n${verify.textBody}\n${verify.htmlBody}`).not.toMatch(leaks);
    expect(verify.textBody).toContain("Hi,");
    expect((await requestReset(email)).status).toBe(200);
    const [reset] = await sent(email, "password-reset", started);
    const m = await read(reset!);
    expect(`${m.subject}\n${m.textBody}\n${m.htmlBody}`).not.toMatch(leaks);
    expect(m.textBody).toContain("Hi,");
  });

  it("a new device's user agent reaches the alert's subject and body only as known tokens", async () => {
    const { email } = await signUpVerified(new Browser(UA.macChrome));
    const model = "CALL 5550100 NOW visit evil.example";
    const intruder = new Browser(`Mozilla/5.0 (Linux; Android 14; ${model}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36`);
    await signIn(intruder, email);
    const [alert] = await sent(email, "new-sign-in");
    const m = await read(alert!);
    expect(m.subject).toBe("New sign-in to your account from Chrome on Android");
    expect(`${m.textBody}\n${m.htmlBody}`).not.toMatch(leaks);
  });
});

describe("a mail failure never fails the auth request", () => {
  const saved = process.env.OUTBOX_DIR;
  afterEach(() => {
    process.env.OUTBOX_DIR = saved;
    resetEnvForTests();
    vi.restoreAllMocks();
  });

  it("sign-up and password reset answer normally when the outbox cannot be written; the failure is logged", async () => {
    const { email } = await signUpVerified(new Browser());
    // A file where the outbox folder should be: every write fails.
    const blocker = path.join(await mkdtemp(path.join(os.tmpdir(), "revocable-blocked-")), "outbox");
    await writeFile(blocker, "not a directory");
    process.env.OUTBOX_DIR = blocker;
    resetEnvForTests();
    const errors = vi.spyOn(console, "error");

    const fresh = uniqueEmail("no-outbox");
    const signUp = await new Browser().auth("/sign-up/email", { email: fresh, password: PASSWORD, name: "N" });
    expect(signUp.status).toBe(200);
    expect((await requestReset(email)).status).toBe(200);
    await flushBackground();
    await flushMail();

    const logged = errors.mock.calls.map((c) => c.join(" "));
    expect(logged.some((l) => l.includes(`[mail] failed to send verify-email to ${fresh}`) && /EEXIST|ENOTDIR/.test(l))).toBe(true);
    expect(logged.some((l) => l.includes(`[mail] failed to send password-reset to ${email}`))).toBe(true);
  });
});
