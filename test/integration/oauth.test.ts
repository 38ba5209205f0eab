// Sign-in with an OpenID Connect provider, against a real one (oidc-provider) on a loopback
// port, through better-auth's real handler: the session it makes is like every other one
// (indexed, listed with its method, in the history, revocable), linking joins only verified,
// equal addresses, and a forged state, a replayed code or a provider's error signs no one in.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import * as OTPAuth from "otpauth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { account, securityEvent, session, user } from "@/db/schema";
import { GET as listRoute } from "@/app/api/sessions/route";
import { GET as activityRoute } from "@/app/api/security/activity/route";
import { resetAuthForTests } from "@/lib/auth";
import { hasPassword } from "@/lib/auth/password";
import { flushBackground } from "@/lib/background";
import { resetEnvForTests } from "@/lib/env";
import { flushRepairs } from "@/lib/sessions/repairs";
import { checkSessionToken } from "@/lib/sessions/validate";
import { Browser, ORIGIN, PASSWORD, signUpVerified, uniqueEmail, waitForEmail } from "../support/browser";
import { atProvider, callback, oauthSignIn, startOAuth } from "../support/oauth-flow";
import { setRateLimits } from "../support/rate-limits";
import { startOidcServer, type OidcServer } from "../support/oidc-server";
import { backdateSignIn, indexSessionIds, pgSessionIds, sessionIdOf, tokenOf, userIdOf } from "../support/sessions";

const OIDC_VARS = ["OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_NAME"] as const;
let idp: OidcServer;

beforeAll(async () => {
  idp = await startOidcServer(ORIGIN);
  Object.assign(process.env, { OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: idp.clientId, OIDC_CLIENT_SECRET: idp.clientSecret, OIDC_NAME: "Acme SSO" });
  resetEnvForTests();
  resetAuthForTests();
});

afterAll(async () => {
  for (const name of OIDC_VARS) delete process.env[name];
  resetEnvForTests();
  resetAuthForTests();
  await idp.close();
});

let logins = 0;
/** A provider account with a fresh address; returns its login and email. */
function providerAccount(emailVerified = true, email = uniqueEmail("idp")) {
  const login = `person-${logins++}`;
  idp.setAccount(login, { email, emailVerified, name: "Provider Person" });
  return { login, email };
}

async function accountsOf(userId: string) {
  return (await getDb().select({ providerId: account.providerId }).from(account).where(eq(account.userId, userId))).map((a) => a.providerId).sort();
}

/** better-auth's id of the user's account row with `providerId` (what unlink-account takes). */
async function accountRowId(userId: string, providerId: string): Promise<string> {
  const [row] = await getDb().select({ id: account.id }).from(account).where(and(eq(account.userId, userId), eq(account.providerId, providerId)));
  return row!.id;
}

async function userCount(email: string) {
  return (await getDb().select({ id: user.id }).from(user).where(eq(user.email, email))).length;
}

describe("signing in with the OIDC provider", () => {
  it("sends the browser to the provider with state, PKCE (S256) and a nonce", async () => {
    const url = await startOAuth(new Browser(), "/sign-in/social", { provider: "oidc", callbackURL: "/settings/security" });
    expect(url.origin).toBe(idp.issuer);
    expect(url.searchParams.get("state")).toBeTruthy();
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("code_challenge")).toBeTruthy();
    expect(url.searchParams.get("nonce")).toBeTruthy();
    expect(url.searchParams.get("redirect_uri")).toBe(`${ORIGIN}/api/auth/callback/oidc`);
  });

  it("creates the account and a session like any other: indexed, listed with its method, in the history, revocable", async () => {
    const { login, email } = providerAccount();
    const b = new Browser();
    const { res, location } = await oauthSignIn(b, login);
    expect(res.status).toBe(302);
    expect(location?.pathname).toBe("/settings/security");
    await flushRepairs();
    await flushBackground();
    const userId = await userIdOf(email);
    expect(await accountsOf(userId)).toEqual(["oidc"]);
    // In both stores, and the proxy's check accepts it.
    const sessionId = await sessionIdOf(b);
    expect(await pgSessionIds(userId)).toEqual([sessionId]);
    expect(await indexSessionIds(userId)).toEqual([sessionId]);
    expect((await checkSessionToken(tokenOf(b))).ok).toBe(true);
    // Active devices: "Signed in with Acme SSO".
    const list = (await (await b.api(listRoute, "/api/sessions")).json()) as { sessions: { id: string; signInMethod: string; signInWith: string }[] };
    expect(list.sessions).toEqual([expect.objectContaining({ id: sessionId, signInMethod: "oidc", signInWith: "Acme SSO" })]);
    // Recent activity.
    const activity = (await (await b.api(activityRoute, "/api/security/activity")).json()) as { events: { type: string; signInWith: string | null }[] };
    expect(activity.events.find((e) => e.type === "sign-in")?.signInWith).toBe("Acme SSO");
    // Revocable at once: signing out ends it in both stores.
    expect((await b.auth("/sign-out", {})).status).toBe(200);
    await flushRepairs();
    expect(await indexSessionIds(userId)).toEqual([]);
  });

  it("names the provider in the new-device email", async () => {
    const { login, email } = providerAccount();
    await oauthSignIn(new Browser(), login);
    const started = Date.now();
    await oauthSignIn(new Browser(), login);
    await flushBackground();
    const mail = await waitForEmail(email, "new-sign-in", started);
    const text = await readFile(path.join(process.env.OUTBOX_DIR!, `${mail.file.replace(/\.json$/, "")}.txt`), "utf8");
    expect(text).toContain("Signed in with: Acme SSO");
  });

  it("refuses an address the provider has not verified: no account is created", async () => {
    const { login, email } = providerAccount(false);
    const b = new Browser();
    const { location } = await oauthSignIn(b, login);
    expect(location?.pathname).toBe("/sign-in");
    expect(location?.searchParams.get("error")).toBe("EMAIL_NOT_VERIFIED");
    expect(b.signedIn()).toBe(false);
    expect(await userCount(email)).toBe(0);
  });
});

describe("joining an existing account", () => {
  it("joins a verified account when the provider asserts the same verified address", async () => {
    const owner = new Browser();
    const { email } = await signUpVerified(owner);
    const { login } = providerAccount(true, email);
    const b = new Browser();
    const { location } = await oauthSignIn(b, login);
    expect(location?.pathname).toBe("/settings/security");
    const userId = await userIdOf(email);
    expect(await accountsOf(userId)).toEqual(["credential", "oidc"]);
    expect(await userCount(email)).toBe(1);
  });

  it("never joins with an address the provider has not verified", async () => {
    const { email } = await signUpVerified(new Browser());
    const { login } = providerAccount(false, email);
    const b = new Browser();
    const { location } = await oauthSignIn(b, login);
    expect(location?.pathname).toBe("/sign-in");
    expect(location?.searchParams.get("error")).toBeTruthy();
    expect(b.signedIn()).toBe(false);
    expect(await accountsOf(await userIdOf(email))).toEqual(["credential"]);
  });

  it("never joins an account whose own address was not confirmed (a pre-registration)", async () => {
    const email = uniqueEmail("pending");
    expect((await new Browser().auth("/sign-up/email", { email, password: "correct horse battery", name: "Squatter" })).status).toBe(200);
    await flushBackground();
    const { login } = providerAccount(true, email);
    const b = new Browser();
    const { location } = await oauthSignIn(b, login);
    expect(location?.searchParams.get("error")).toBe("account_not_linked");
    expect(b.signedIn()).toBe(false);
  });
});

describe("an account with two-factor on", () => {
  /** A password account with the authenticator app confirmed, and a provider identity with its address (linked from settings unless `linked` is false). */
  async function twoFactorAccount({ linked = true } = {}) {
    const owner = new Browser();
    const { email } = await signUpVerified(owner);
    const enable = await owner.auth("/two-factor/enable", { password: PASSWORD });
    const { totpURI, backupCodes } = (await enable.json()) as { totpURI: string; backupCodes: string[] };
    const totp = OTPAuth.URI.parse(totpURI) as OTPAuth.TOTP;
    expect((await owner.auth("/two-factor/verify-totp", { code: totp.generate() })).status).toBe(200);
    const { login } = providerAccount(true, email);
    const userId = await userIdOf(email);
    if (linked) {
      // From settings, in the session that passed the second step.
      const back = await atProvider(await startOAuth(owner, "/link-social", { provider: "oidc", callbackURL: "/settings/security" }), { login });
      expect((await callback(owner, back)).location?.searchParams.get("error")).toBeNull();
      expect(await accountsOf(userId)).toEqual(["credential", "oidc"]);
    }
    await flushRepairs();
    return { owner, email, userId, totp, backupCodes, login };
  }

  it("an identity not yet linked does not join at sign-in: no link, no session, the page says to link it from settings", async () => {
    const { userId, login } = await twoFactorAccount({ linked: false });
    const before = await pgSessionIds(userId);
    const b = new Browser();
    const { location } = await oauthSignIn(b, login);
    expect(location?.pathname).toBe("/sign-in");
    expect(location?.searchParams.get("error")).toBe("account_not_linked");
    expect(b.signedIn()).toBe(false);
    expect(b.cookies.has("rv.two_factor")).toBe(false);
    expect(await accountsOf(userId)).toEqual(["credential"]);
    expect(await pgSessionIds(userId)).toEqual(before);
  });

  it("stops at the second step: no session until the code, then one signed in with the provider and the app", async () => {
    const { owner, email, userId, totp, login } = await twoFactorAccount();
    const before = await pgSessionIds(userId);
    const b = new Browser();
    const { res, location } = await oauthSignIn(b, login);
    // The sign-in page's second step, not the destination, and nothing to sign in with yet.
    expect(res.status).toBe(302);
    expect(location?.pathname).toBe("/sign-in");
    expect(location?.searchParams.get("step")).toBe("two-factor");
    expect(location?.searchParams.has("error")).toBe(false);
    expect(b.signedIn()).toBe(false);
    expect(res.headers.getSetCookie().some((c) => /two_factor=/.test(c))).toBe(true);
    await flushRepairs();
    expect(await pgSessionIds(userId)).toEqual(before);
    expect(await indexSessionIds(userId)).toEqual(before);
    expect((await b.auth("/get-session")).status).toBe(401);

    const wrong = await b.auth("/two-factor/verify-totp", { code: totp.generate() === "000000" ? "111111" : "000000" });
    expect(wrong.status).toBe(401);
    const started = Date.now();
    const ok = await b.auth("/two-factor/verify-totp", { code: totp.generate() });
    expect(ok.status).toBe(200);
    await flushRepairs();
    await flushBackground();
    const sessionId = await sessionIdOf(b);
    expect(await indexSessionIds(userId)).toContain(sessionId);
    const list = (await (await b.api(listRoute, "/api/sessions")).json()) as { sessions: { id: string; signInMethod: string; signInWith: string }[] };
    expect(list.sessions.find((s) => s.id === sessionId)).toMatchObject({ signInMethod: "oidc+totp", signInWith: "Acme SSO and authenticator app" });
    const mail = await waitForEmail(email, "new-sign-in", started);
    const text = await readFile(path.join(process.env.OUTBOX_DIR!, `${mail.file.replace(/\.json$/, "")}.txt`), "utf8");
    expect(text).toContain("Signed in with: Acme SSO and authenticator app");
    // The owner's own session was never touched.
    expect((await owner.auth("/get-session")).status).toBe(200);
  });

  it("a backup code finishes it too, once, and the method says so", async () => {
    const { userId, backupCodes, login } = await twoFactorAccount();
    const b = new Browser();
    await oauthSignIn(b, login);
    expect((await b.auth("/two-factor/verify-backup-code", { code: backupCodes[0] })).status).toBe(200);
    const [row] = await getDb().select({ m: session.signInMethod }).from(session).where(eq(session.id, await sessionIdOf(b)));
    expect(row!.m).toBe("oidc+backup-code");
    await flushBackground();
    const types = (await getDb().select({ type: securityEvent.type }).from(securityEvent).where(eq(securityEvent.userId, userId))).map((e) => e.type);
    expect(types).toContain("backup-code-used");
    // Used once: a second OAuth sign-in cannot reuse it.
    const again = new Browser();
    await oauthSignIn(again, login);
    expect((await again.auth("/two-factor/verify-backup-code", { code: backupCodes[0] })).status).toBe(401);
    expect(again.signedIn()).toBe(false);
  });

  it("keeps the destination through the second step; a password second step after it is still 'password'", async () => {
    const { email, totp, login } = await twoFactorAccount();
    const b = new Browser();
    const { location } = await oauthSignIn(b, login, { callbackURL: "/settings/security?from=sso", errorCallbackURL: "/sign-in" });
    expect(location?.searchParams.get("next")).toBe("/settings/security?from=sso");
    // The provider's challenge is not carried into a later password sign-in's second step.
    const c = new Browser();
    expect(((await (await c.auth("/sign-in/email", { email, password: PASSWORD })).json()) as { twoFactorRedirect?: boolean }).twoFactorRedirect).toBe(true);
    expect((await c.auth("/two-factor/verify-totp", { code: totp.generate() })).status).toBe(200);
    const [row] = await getDb().select({ m: session.signInMethod }).from(session).where(eq(session.id, await sessionIdOf(c)));
    expect(row!.m).toBe("password+totp");
  });

  it("a device trusted at a second step skips it for the provider too", async () => {
    const { email, totp, login } = await twoFactorAccount({ linked: false });
    const b = new Browser();
    await b.auth("/sign-in/email", { email, password: PASSWORD });
    expect((await b.auth("/two-factor/verify-totp", { code: totp.generate(), trustDevice: true })).status).toBe(200);
    expect((await b.auth("/sign-out", {})).status).toBe(200);
    const { location } = await oauthSignIn(b, login);
    expect(location?.pathname).toBe("/settings/security");
    const [row] = await getDb().select({ m: session.signInMethod }).from(session).where(eq(session.id, await sessionIdOf(b)));
    expect(row!.m).toBe("oidc");
  });
});

describe("two-factor for an account made through the provider (no password)", () => {
  const HOUR = 60 * 60 * 1000;
  const codeOf = async (res: Response) => ((await res.json()) as { code?: string }).code;

  /** Signed in through the provider only: no credential row, so no password to give. */
  async function providerOnlyAccount() {
    const { login, email } = providerAccount();
    const b = new Browser();
    await oauthSignIn(b, login);
    const userId = await userIdOf(email);
    expect(await accountsOf(userId)).toEqual(["oidc"]);
    return { b, login, email, userId };
  }

  it("turns it on with a fresh sign-in instead of a password; the next provider sign-in stops at the second step", async () => {
    const { b, login, userId } = await providerOnlyAccount();
    const enable = await b.auth("/two-factor/enable", {});
    expect(enable.status).toBe(200);
    const { totpURI } = (await enable.json()) as { totpURI: string; backupCodes: string[] };
    const totp = OTPAuth.URI.parse(totpURI) as OTPAuth.TOTP;
    expect((await b.auth("/two-factor/verify-totp", { code: totp.generate() })).status).toBe(200);
    const [row] = await getDb().select({ on: user.twoFactorEnabled }).from(user).where(eq(user.id, userId));
    expect(row?.on).toBe(true);

    const other = new Browser();
    const { location } = await oauthSignIn(other, login);
    expect(location?.searchParams.get("step")).toBe("two-factor");
    expect(other.signedIn()).toBe(false);
    // The next period's code (accepted within the window): the enabling code signs in once.
    expect((await other.auth("/two-factor/verify-totp", { code: totp.generate({ timestamp: Date.now() + 30_000 }) })).status).toBe(200);
    const list = (await (await other.api(listRoute, "/api/sessions")).json()) as { sessions: { isCurrent: boolean; signInMethod: string }[] };
    expect(list.sessions.find((s) => s.isCurrent)?.signInMethod).toBe("oidc+totp");
  });

  it("an older sign-in can neither turn it on, read the secret, make new backup codes nor turn it off", async () => {
    const { b } = await providerOnlyAccount();
    const enable = await b.auth("/two-factor/enable", {});
    const { totpURI } = (await enable.json()) as { totpURI: string };
    const totp = OTPAuth.URI.parse(totpURI) as OTPAuth.TOTP;
    expect((await b.auth("/two-factor/verify-totp", { code: totp.generate() })).status).toBe(200);
    // Fresh: the secret and new codes are readable without a password.
    expect((await b.auth("/two-factor/get-totp-uri", {})).status).toBe(200);
    expect((await b.auth("/two-factor/generate-backup-codes", {})).status).toBe(200);
    await backdateSignIn(await sessionIdOf(b), HOUR);
    for (const path of ["/two-factor/get-totp-uri", "/two-factor/generate-backup-codes", "/two-factor/disable", "/two-factor/enable"]) {
      const res = await b.auth(path, {});
      expect(res.status, path).toBe(403);
      expect(await codeOf(res), path).toBe("REAUTHENTICATION_REQUIRED");
    }
  });

  it("sets a password through the emailed link: every session ends, then the address and password sign in", async () => {
    const { b, email, userId } = await providerOnlyAccount();
    expect(await hasPassword(userId)).toBe(false);
    const started = Date.now();
    expect((await b.auth("/request-password-reset", { email, redirectTo: "/reset-password" })).status).toBe(200);
    const mail = await waitForEmail(email, "password-reset", started, 10_000);
    const token = new URL(mail.link).pathname.split("/").pop();
    expect((await new Browser().auth("/reset-password", { token, newPassword: "a password of my own" })).status).toBe(200);
    await flushRepairs();
    expect(await hasPassword(userId)).toBe(true);
    expect(await accountsOf(userId)).toEqual(["credential", "oidc"]);
    expect(await pgSessionIds(userId)).toEqual([]);
    expect((await b.auth("/get-session")).status).toBe(401);
    const again = new Browser();
    expect((await again.auth("/sign-in/email", { email, password: "a password of my own" })).status).toBe(200);
    expect(again.signedIn()).toBe(true);
  });

  it("an account with a password still has to give it, fresh sign-in or not", async () => {
    const b = new Browser();
    const { email } = await signUpVerified(b);
    const refusedWithoutPassword = async (path: string) => {
      const res = await b.auth(path, {});
      expect(res.status, path).toBe(400);
      expect(await codeOf(res), path).toBe("INVALID_PASSWORD");
    };
    await refusedWithoutPassword("/two-factor/enable");
    const enable = await b.auth("/two-factor/enable", { password: PASSWORD });
    const totp = OTPAuth.URI.parse(((await enable.json()) as { totpURI: string }).totpURI) as OTPAuth.TOTP;
    expect((await b.auth("/two-factor/verify-totp", { code: totp.generate() })).status).toBe(200);
    for (const path of ["/two-factor/get-totp-uri", "/two-factor/generate-backup-codes", "/two-factor/disable"]) await refusedWithoutPassword(path);
    const [row] = await getDb().select({ on: user.twoFactorEnabled }).from(user).where(eq(user.id, await userIdOf(email)));
    expect(row?.on).toBe(true);
  });
});

describe("linking from settings", () => {
  it("links a provider identity with the same verified address, and refuses a different one", async () => {
    const b = new Browser();
    const { email } = await signUpVerified(b);
    const other = providerAccount();
    let back = await atProvider(await startOAuth(b, "/link-social", { provider: "oidc", callbackURL: "/settings/security", errorCallbackURL: "/settings/security" }), other);
    let { location } = await callback(b, back);
    expect(location?.pathname).toBe("/settings/security");
    expect(location?.searchParams.get("error")).toBe("email_does_not_match");
    const userId = await userIdOf(email);
    expect(await accountsOf(userId)).toEqual(["credential"]);

    const same = providerAccount(true, email);
    back = await atProvider(await startOAuth(b, "/link-social", { provider: "oidc", callbackURL: "/settings/security" }), same);
    ({ location } = await callback(b, back));
    expect(location?.searchParams.get("error")).toBeNull();
    expect(await accountsOf(userId)).toEqual(["credential", "oidc"]);
    // Listed for the settings page.
    const listed = (await (await b.auth("/list-accounts")).json()) as { providerId: string }[];
    expect(listed.map((a) => a.providerId).sort()).toEqual(["credential", "oidc"]);
  });

  it("needs a fresh sign-in", async () => {
    const b = new Browser();
    await signUpVerified(b);
    await backdateSignIn(await sessionIdOf(b), 60 * 60 * 1000);
    const res = await b.auth("/link-social", { provider: "oidc", callbackURL: "/settings/security" });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { code: string }).code).toBe("REAUTHENTICATION_REQUIRED");
  });

  it("refuses to unlink the last way in, and the password through this endpoint", async () => {
    const { login, email } = providerAccount();
    const b = new Browser();
    await oauthSignIn(b, login);
    const userId = await userIdOf(email);
    let res = await b.auth("/unlink-account", { accountId: await accountRowId(userId, "oidc") });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe("FAILED_TO_UNLINK_LAST_ACCOUNT");
    expect(await accountsOf(userId)).toEqual(["oidc"]);
    res = await b.auth("/unlink-account", { providerId: "oidc" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe("OPTION_NOT_ALLOWED");
    // With a password too, the password itself is not unlinked here.
    const withPassword = new Browser();
    const { email: other } = await signUpVerified(withPassword);
    await oauthSignIn(new Browser(), providerAccount(true, other).login);
    res = await withPassword.auth("/unlink-account", { accountId: await accountRowId(await userIdOf(other), "credential") });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe("OPTION_NOT_ALLOWED");
  });

  it("unlinks a provider when the password remains", async () => {
    const b = new Browser();
    const { email } = await signUpVerified(b);
    await oauthSignIn(new Browser(), providerAccount(true, email).login);
    const userId = await userIdOf(email);
    expect(await accountsOf(userId)).toEqual(["credential", "oidc"]);
    expect((await b.auth("/unlink-account", { accountId: await accountRowId(userId, "oidc") })).status).toBe(200);
    expect(await accountsOf(userId)).toEqual(["credential"]);
  });
});

describe("hostile callbacks sign no one in", () => {
  it("a tampered state", async () => {
    const { login, email } = providerAccount();
    const b = new Browser();
    const back = await atProvider(await startOAuth(b, "/sign-in/social", { provider: "oidc", callbackURL: "/settings/security" }), { login });
    back.searchParams.set("state", `${back.searchParams.get("state")}x`);
    const { res, location } = await callback(b, back);
    expect(res.status).toBe(302);
    expect(location?.pathname).toBe("/sign-in");
    expect(location?.searchParams.get("error")).toBeTruthy();
    expect(b.signedIn()).toBe(false);
    expect(await userCount(email)).toBe(0);
  });

  it("a callback delivered to another browser (login CSRF): its state is bound to the starting browser", async () => {
    const { login, email } = providerAccount();
    const attacker = new Browser();
    const back = await atProvider(await startOAuth(attacker, "/sign-in/social", { provider: "oidc", callbackURL: "/settings/security" }), { login });
    const victim = new Browser();
    const { location } = await callback(victim, back);
    expect(location?.pathname).toBe("/sign-in");
    expect(location?.searchParams.get("error")).toBeTruthy();
    expect(victim.signedIn()).toBe(false);
    expect(await userCount(email)).toBe(0);
  });

  it("a replayed code", async () => {
    const { login, email } = providerAccount();
    const b = new Browser();
    const { back } = await oauthSignIn(b, login);
    await flushRepairs();
    const userId = await userIdOf(email);
    const before = await pgSessionIds(userId);
    const replayer = new Browser();
    // Same URL, even with the first browser's state cookie copied over.
    for (const [k, v] of b.cookies) if (!k.includes("session")) replayer.cookies.set(k, v);
    const { location } = await callback(replayer, back);
    expect(location?.searchParams.get("error")).toBeTruthy();
    expect(replayer.signedIn()).toBe(false);
    expect(await pgSessionIds(userId)).toEqual(before);
  });

  it("the provider's error (the person cancelled) lands on the sign-in page with the error", async () => {
    const b = new Browser();
    const back = await atProvider(await startOAuth(b, "/sign-in/social", { provider: "oidc", callbackURL: "/settings/security" }), "cancel");
    const { location } = await callback(b, back);
    expect(location?.pathname).toBe("/sign-in");
    expect(location?.searchParams.get("error")).toBe("access_denied");
    expect(b.signedIn()).toBe(false);
  });

  it("a callback without state, or with junk", async () => {
    const b = new Browser();
    for (const q of ["?code=abc", "?code=abc&state=%00%ff", "?error=access_denied"]) {
      const res = await b.auth(`/callback/oidc${q}`);
      expect(res.status).toBeLessThan(500);
      expect(b.signedIn()).toBe(false);
    }
  });
});

describe("options a client passes", () => {
  const refused: Record<string, unknown>[] = [
    { idToken: { token: "x.y.z" } },
    { scopes: ["offline_access"] },
    { loginHint: "someone@example.test" },
    { requestSignUp: true },
    { additionalParams: { prompt: "none" } },
    { additionalData: { a: 1 } },
  ];
  for (const extra of refused) {
    it(`refuses ${Object.keys(extra)[0]} with 400 OPTION_NOT_ALLOWED`, async () => {
      const res = await new Browser().auth("/sign-in/social", { provider: "oidc", callbackURL: "/settings/security", ...extra });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { code: string }).code).toBe("OPTION_NOT_ALLOWED");
    });
  }

  it("refuses a redirect target off the site", async () => {
    for (const field of ["callbackURL", "errorCallbackURL", "newUserCallbackURL"]) {
      const res = await new Browser().auth("/sign-in/social", { provider: "oidc", [field]: "https://evil.example/x" });
      expect(res.status).toBe(400);
    }
  });

  it("the provider-token endpoints are disabled", async () => {
    const b = new Browser();
    await oauthSignIn(b, providerAccount().login);
    for (const path of ["/get-access-token", "/refresh-token", "/account-info"]) {
      expect((await b.auth(path, { providerId: "oidc" })).status).toBe(404);
    }
  });

  it("stores the provider's tokens encrypted", async () => {
    const { login, email } = providerAccount();
    await oauthSignIn(new Browser(), login);
    const [row] = await getDb().select().from(account).where(and(eq(account.userId, await userIdOf(email)), eq(account.providerId, "oidc")));
    expect(row?.accessToken).toBeTruthy();
    // A JWT or opaque token from oidc-provider never looks like better-auth's ciphertext (hex).
    expect(row!.accessToken).toMatch(/^[0-9a-f]+$/);
  });

  it("records the method on the sign-in event", async () => {
    const { login, email } = providerAccount();
    await oauthSignIn(new Browser(), login);
    await flushBackground();
    const rows = await getDb().select().from(securityEvent).where(and(eq(securityEvent.userId, await userIdOf(email)), eq(securityEvent.type, "sign-in")));
    expect(rows.map((r) => r.detail)).toEqual([{ method: "oidc" }]);
  });
});

describe("hostile input and limits", () => {
  it("answers a malformed start with 4xx JSON, never 500", async () => {
    for (const body of [{ provider: 123 }, { provider: "nope" }, { provider: ["oidc"] }, {}, "not json"]) {
      const res = await new Browser().auth("/sign-in/social", body);
      expect(res.status, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
      expect(res.status, JSON.stringify(body)).toBeLessThan(500);
    }
  });

  describe("with rate limits on", () => {
    beforeAll(() => setRateLimits("on"));
    afterAll(() => setRateLimits("off"));

    it("limits starting sign-ins and callbacks per client address", async () => {
      const b = new Browser();
      const starts = [];
      for (let i = 0; i < 11; i++) starts.push((await b.auth("/sign-in/social", { provider: "oidc", callbackURL: "/settings/security" })).status);
      expect(starts.slice(0, 10).every((s) => s === 200)).toBe(true);
      expect(starts[10]).toBe(429);
      const callbacks = [];
      for (let i = 0; i < 11; i++) callbacks.push((await b.auth("/callback/oidc?code=x&state=y")).status);
      expect(callbacks[10]).toBe(429);
    });
  });
});

describe("with no provider configured", () => {
  let saved: Record<string, string | undefined> = {};
  beforeAll(() => {
    saved = Object.fromEntries(OIDC_VARS.map((n) => [n, process.env[n]]));
    for (const name of OIDC_VARS) delete process.env[name];
    resetEnvForTests();
    resetAuthForTests();
  });
  afterAll(() => {
    Object.assign(process.env, saved);
    resetEnvForTests();
    resetAuthForTests();
  });

  it("starting a sign-in answers 404 for any provider, and nothing else changes", async () => {
    for (const provider of ["oidc", "github", "google"]) {
      const res = await new Browser().auth("/sign-in/social", { provider, callbackURL: "/settings/security" });
      expect(res.status).toBe(404);
    }
    const b = new Browser();
    await signUpVerified(b);
    expect(b.signedIn()).toBe(true);
  });
});
