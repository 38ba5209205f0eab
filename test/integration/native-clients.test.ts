// Native apps: a bearer session is a session like a browser's. It is signed in with the
// email and password, listed in Active devices as the client it declared, checked on every
// request against the index (0 SQL), refused the moment it is revoked, idle or expired,
// and it may end itself and follow its own end live. A bearer token is refused from a
// browser context, next to a cookie, and on routes a native client does not use.
import * as OTPAuth from "otpauth";
import { afterEach, describe, expect, it, vi } from "vitest";
import { GET as listRoute } from "@/app/api/sessions/route";
import { POST as revokeRoute } from "@/app/api/sessions/revoke/route";
import { GET as eventsRoute } from "@/app/api/sessions/events/route";
import { GET as activityRoute } from "@/app/api/security/activity/route";
import { getQueryCount } from "@/db";
import { flushBackground } from "@/lib/background";
import { env } from "@/lib/env";
import { flushRepairs } from "@/lib/sessions/repairs";
import type { SessionView } from "@/lib/sessions/service";
import { getAuth } from "@/lib/auth";
import { Browser, ORIGIN, PASSWORD, signUpVerified } from "../support/browser";
import { NativeApp } from "../support/native-app";
import { bothStores, userIdOf } from "../support/sessions";
import { SseReader } from "../support/sse";

async function accountWithApp() {
  const browser = new Browser();
  const { email } = await signUpVerified(browser);
  const app = new NativeApp();
  const res = await app.signIn(email, PASSWORD);
  expect(res.status).toBe(200);
  await flushBackground();
  return { browser, app, email, signIn: (await res.json()) as { token: string; device: { sessionId: string; name: string; declared: boolean } } };
}

async function list(res: Promise<Response>): Promise<SessionView[]> {
  const r = await res;
  expect(r.status).toBe(200);
  return ((await r.json()) as { sessions: SessionView[] }).sessions;
}

const readers: SseReader[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(readers.splice(0).map((r) => r.cancel()));
});

describe("native sign-in", () => {
  it("answers a bearer token and the device it declared; Active devices lists it as declared", async () => {
    const { browser, app, signIn } = await accountWithApp();
    expect(signIn.token).toMatch(/^[A-Za-z0-9\-._~+/]+=*$/);
    expect(signIn.device).toMatchObject({ name: "Revocable for iOS", declared: true });
    const seen = await list(browser.api(listRoute, "/api/sessions"));
    const row = seen.find((s) => s.id === signIn.device.sessionId);
    expect(row).toMatchObject({ declaredClient: "Revocable for iOS", signInMethod: "password", isCurrent: false, ipAddress: app.ip });
    // The browser's own row declares nothing.
    expect(seen.find((s) => s.isCurrent)?.declaredClient).toBeNull();
    // The app sees the same list with itself as the current device.
    const own = await list(app.api(listRoute, "/api/sessions"));
    expect(own.find((s) => s.isCurrent)?.id).toBe(signIn.device.sessionId);
  });

  it("a browser's sign-in still gets no token in its body", async () => {
    const b = new Browser();
    const { email } = await signUpVerified(b);
    const res = await new Browser().auth("/sign-in/email", { email, password: PASSWORD });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { token: unknown }).token).toBeNull();
  });

  it("refuses a declared client that is not plain bounded text, and a declaration from a browser", async () => {
    const { email } = await signUpVerified(new Browser());
    for (const [name, platform] of [["<script>", "iOS"], ["x".repeat(41), "iOS"], ["Revocable", ""], ["Revocable", "i\u0007OS"]]) {
      const res = await new NativeApp(name, platform).signIn(email, PASSWORD);
      expect(res.status, `${name} / ${platform}`).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: "invalid_client" } });
    }
    const fromPage = await new NativeApp().signIn(email, PASSWORD, { origin: "http://localhost:3000" });
    expect(fromPage.status).toBe(400);
    expect(await fromPage.json()).toMatchObject({ error: { code: "bearer_not_accepted" } });
  });

  it("a wrong password is refused like a browser's (no token)", async () => {
    const { email } = await signUpVerified(new Browser());
    const res = await new NativeApp().signIn(email, "wrong password here");
    expect(res.status).toBe(401);
    expect(JSON.stringify(await res.json())).not.toMatch(/token/);
  });
});

describe("native sign-in with two-factor on", () => {
  /** An account with the authenticator app confirmed (from a browser), and a native app. */
  async function twoFactorAccount() {
    const browser = new Browser();
    const { email } = await signUpVerified(browser);
    const enable = await browser.auth("/two-factor/enable", { password: PASSWORD });
    const { totpURI, backupCodes } = (await enable.json()) as { totpURI: string; backupCodes: string[] };
    const totp = OTPAuth.URI.parse(totpURI) as OTPAuth.TOTP;
    expect((await browser.auth("/two-factor/verify-totp", { code: totp.generate() })).status).toBe(200);
    await flushRepairs();
    return { browser, email, userId: await userIdOf(email), totp, backupCodes };
  }

  async function passwordStep(app: NativeApp, email: string) {
    const res = await app.signIn(email, PASSWORD);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { twoFactorRedirect?: boolean; challenge?: string; token?: string };
    expect(body.twoFactorRedirect).toBe(true);
    expect(body.token).toBeUndefined();
    expect(res.headers.getSetCookie()).toEqual([]);
    return body.challenge!;
  }

  it("the password step answers a challenge, no token and no session; the code answers the token", async () => {
    const { email, userId, totp } = await twoFactorAccount();
    const before = await bothStores(userId);
    const app = new NativeApp();
    const challenge = await passwordStep(app, email);
    expect(challenge).toMatch(/^2fa-[A-Za-z0-9_-]{20}\.[A-Za-z0-9+/]{43}=$/);
    await flushRepairs();
    expect(await bothStores(userId)).toEqual(before);

    const wrong = await app.secondStep("totp", totp.generate() === "000000" ? "111111" : "000000", challenge);
    expect(wrong.status).toBe(401);
    const res = await app.secondStep("totp", totp.generate(), challenge);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; device: { sessionId: string; name: string; declared: boolean } };
    expect(body.device).toMatchObject({ name: "Revocable for iOS", declared: true });
    expect(body.token).toBe(app.token);
    await flushRepairs();
    // A bearer session like any other: indexed, listed with its method and its declared client.
    const stores = await bothStores(userId);
    expect(stores.redis).toEqual(stores.postgres);
    expect(stores.postgres).toContain(body.device.sessionId);
    const own = await list(app.api(listRoute, "/api/sessions"));
    expect(own.find((s) => s.isCurrent)).toMatchObject({ id: body.device.sessionId, signInMethod: "password+totp", declaredClient: "Revocable for iOS" });
    // The challenge was used up.
    const again = await new NativeApp().secondStep("totp", totp.generate(), challenge);
    expect(again.status).toBe(401);
  });

  it("a backup code finishes it too", async () => {
    const { email, backupCodes } = await twoFactorAccount();
    const app = new NativeApp("Revocable", "Android");
    const res = await app.secondStep("backup-code", backupCodes[0]!, await passwordStep(app, email));
    expect(res.status).toBe(200);
    const own = await list(app.api(listRoute, "/api/sessions"));
    expect(own.find((s) => s.isCurrent)).toMatchObject({ signInMethod: "password+backup-code", declaredClient: "Revocable for Android" });
  });

  it("refuses the challenge from a browser, without a declaration, beside a token or a cookie, elsewhere; a forged one is a dead challenge", async () => {
    const { email, totp } = await twoFactorAccount();
    const app = new NativeApp();
    const challenge = await passwordStep(app, email);
    const cases: [Record<string, string>, number, string][] = [
      [{ origin: ORIGIN }, 400, "bearer_not_accepted"],
      [{ "sec-fetch-site": "same-origin" }, 400, "bearer_not_accepted"],
      [{ cookie: "rv.session_token=x" }, 400, "bearer_not_accepted"],
      [{ authorization: "Bearer abc.def" }, 400, "bearer_not_accepted"],
    ];
    for (const [extra, status, code] of cases) {
      const res = await app.secondStep("totp", totp.generate(), challenge, extra);
      expect(res.status, JSON.stringify(extra)).toBe(status);
      expect(await res.json()).toMatchObject({ error: { code } });
    }
    const undeclared = await getAuth().handler(
      new Request(`${ORIGIN}/api/auth/two-factor/verify-totp`, { method: "POST", headers: { "content-type": "application/json", "x-two-factor-challenge": challenge }, body: JSON.stringify({ code: totp.generate() }) }),
    );
    expect(undeclared.status).toBe(400);
    expect(await undeclared.json()).toMatchObject({ error: { code: "invalid_client" } });
    const elsewhere = await app.auth("/get-session", { headers: { "x-two-factor-challenge": challenge } });
    expect(elsewhere.status).toBe(400);
    // Forged or malformed: better-auth's own "expired" answer, no session.
    for (const forged of [challenge.replace(/^2fa-./, (c) => (c === "2fa-A" ? "2fa-B" : "2fa-A")), "2fa-x; rv.session_token=y", "x".repeat(300)]) {
      const res = await app.secondStep("totp", totp.generate(), forged);
      expect(res.status, forged).toBe(401);
      expect(app.token).toBeNull();
    }
    // The real one still works after all that.
    expect((await app.secondStep("totp", totp.generate(), challenge)).status).toBe(200);
  });
});

describe("the bearer check is the cookie check", () => {
  it("lets a live bearer session through the proxy with zero database queries", async () => {
    const { app } = await accountWithApp();
    await app.api(null, "/api/sessions"); // warm: the first touch may write
    await flushRepairs();
    const before = getQueryCount();
    for (let i = 0; i < 5; i++) expect((await app.api(null, "/api/sessions")).status).toBe(200);
    expect(getQueryCount() - before).toBe(0);
  });

  it("is refused at once after the browser revokes it in Active devices, without SQL", async () => {
    const { browser, app, signIn } = await accountWithApp();
    expect((await app.api(listRoute, "/api/sessions")).status).toBe(200);
    const revoke = await browser.api(revokeRoute, "/api/sessions/revoke", { body: { sessionId: signIn.device.sessionId } });
    expect(revoke.status).toBe(200);
    await flushBackground(); // the revoke's history rows, written after its answer
    await flushRepairs();
    const before = getQueryCount();
    const res = await app.api(listRoute, "/api/sessions");
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: "unauthenticated" } });
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(getQueryCount() - before).toBe(0);
    expect((await app.auth("/get-session")).status).toBe(401);
  });

  it("obeys the idle limit", async () => {
    const { app } = await accountWithApp();
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + env().SESSION_IDLE_TIMEOUT * 1000 + 3_000 });
    expect((await app.api(listRoute, "/api/sessions")).status).toBe(401);
  });

  it("a forged or tampered token costs no I/O", async () => {
    const { app } = await accountWithApp();
    const real = app.token!;
    const before = getQueryCount();
    for (const forged of [real.replace(/.(=?)$/, (c, pad) => (c[0] === "A" ? "B" : "A") + pad), real.split(".")[0]!, "abc.def"]) {
      app.token = forged;
      expect((await app.api(listRoute, "/api/sessions")).status, forged).toBe(401);
    }
    expect(getQueryCount() - before).toBe(0);
  });
});

describe("where a bearer token is refused", () => {
  it("from a browser context, next to a cookie, and on routes a native client does not use", async () => {
    const { browser, app, signIn } = await accountWithApp();
    const refused = async (res: Response, what: string) => {
      expect(res.status, what).toBe(400);
      expect(await res.json(), what).toMatchObject({ error: { code: "bearer_not_accepted", message: expect.any(String) } });
    };
    await refused(await app.api(listRoute, "/api/sessions", { headers: { origin: "http://localhost:3000" } }), "Origin");
    await refused(await app.api(listRoute, "/api/sessions", { headers: { "sec-fetch-site": "same-origin" } }), "Sec-Fetch-Site");
    await refused(await app.api(listRoute, "/api/sessions", { headers: { cookie: browser.cookieHeader() } }), "cookie too");
    await refused(await app.api(revokeRoute, "/api/sessions/revoke", { body: { all: true } }), "revoke");
    await refused(await app.api(activityRoute, "/api/security/activity"), "activity");
    await refused(await app.api(null, "/settings/security"), "a page");
    await refused(await app.auth("/update-user", { body: { name: "Changed" } }), "update-user");
    await refused(await app.auth("/change-password", { body: { currentPassword: PASSWORD, newPassword: "another long password" } }), "change-password");
    await refused(await app.auth("/get-session", { headers: { origin: "http://localhost:3000" } }), "get-session from a page");
    // Handlers refuse it too when reached without the proxy.
    await refused(await revokeRoute(new Request("http://localhost:3000/api/sessions/revoke", { method: "POST", headers: app.headers({ "content-type": "application/json" }), body: "{}" })), "handler");
    // And the session is untouched by all of it.
    const own = await list(app.api(listRoute, "/api/sessions"));
    expect(own.find((s) => s.isCurrent)?.id).toBe(signIn.device.sessionId);
  });
});

describe("better-auth routes a native client uses", () => {
  it("get-session answers the user without the raw token", async () => {
    const { app, email } = await accountWithApp();
    const res = await app.auth("/get-session");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { user: { email: string }; session: { token: unknown; declaredClient: unknown } };
    expect(body.user.email).toBe(email);
    expect(body.session.token).toBeNull();
  });

  it("sign-out ends the bearer session in both stores", async () => {
    const { browser, app, signIn } = await accountWithApp();
    const res = await app.auth("/sign-out", { method: "POST", body: {} });
    expect(res.status).toBe(200);
    await flushBackground();
    expect((await app.api(listRoute, "/api/sessions")).status).toBe(401);
    const seen = await list(browser.api(listRoute, "/api/sessions"));
    expect(seen.map((s) => s.id)).not.toContain(signIn.device.sessionId);
  });
});

describe("live end for a native client", () => {
  it("the events stream takes the bearer token and tells the app its session ended", async () => {
    const { browser, app, signIn } = await accountWithApp();
    const res = await app.api(eventsRoute, "/api/sessions/events");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const stream = new SseReader(res);
    readers.push(stream);
    await browser.api(revokeRoute, "/api/sessions/revoke", { body: { sessionId: signIn.device.sessionId } });
    const { found } = await stream.until("session.ended", 2_000);
    expect(found.data).toMatchObject({ reason: expect.any(String) });
    expect((await stream.next(1_000)).event).toBe("closed");
  });
});
