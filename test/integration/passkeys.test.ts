// Passkeys through better-auth's real handler with a software authenticator (real P-256
// keys, ES256 signatures, CBOR attestation "none"): adding one needs a fresh sign-in and is
// emailed and recorded; a passkey sign-in is an ordinary session (indexed, listed with its
// method, revocable at once); user verification is required; forged, replayed and foreign
// input gets a 4xx and changes nothing; the sign-in endpoints are rate limited.
import { and, eq } from "drizzle-orm";
import * as OTPAuth from "otpauth";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { passkey as passkeyTable, securityEvent, session as sessionTable } from "@/db/schema";
import { GET as listRoute } from "@/app/api/sessions/route";
import { flushBackground } from "@/lib/background";
import { revokeSessions } from "@/lib/sessions/lifecycle";
import { flushRepairs } from "@/lib/sessions/repairs";
import { relyingParty } from "@/lib/auth/passkeys";
import { Browser, ORIGIN, PASSWORD, signIn, signUpVerified, waitForEmail } from "../support/browser";
import { backdateSignIn, bothStores, sessionIdOf, userIdOf } from "../support/sessions";
import { withRateLimits } from "../support/rate-limits";
import { startHttpApp } from "../support/http-app";
import { SoftAuthenticator, type AuthenticationOptionsJSON } from "../support/soft-authenticator";

const authenticator = (userVerified = true) => new SoftAuthenticator({ origin: ORIGIN, userVerified });

async function signedIn() {
  const b = new Browser();
  const { email } = await signUpVerified(b);
  await flushRepairs();
  return { b, email, userId: await userIdOf(email) };
}

/** Both halves of adding a passkey, as the settings page does. */
async function addPasskey(b: Browser, a: SoftAuthenticator, name?: string) {
  const options = await b.auth("/passkey/generate-register-options");
  if (options.status !== 200) return options;
  return b.auth("/passkey/verify-registration", { response: a.create(await options.json()), ...(name ? { name } : {}) });
}

async function authenticationOptions(b: Browser): Promise<AuthenticationOptionsJSON> {
  const res = await b.auth("/passkey/generate-authenticate-options");
  expect(res.status).toBe(200);
  return res.json();
}

async function signInWithPasskey(b: Browser, a: SoftAuthenticator) {
  const res = await b.auth("/passkey/verify-authentication", { response: a.get(await authenticationOptions(b)) });
  await flushBackground();
  return res;
}

const passkeysOf = (userId: string) => getDb().select().from(passkeyTable).where(eq(passkeyTable.userId, userId));
const sessionCount = async (userId: string) => (await getDb().select({ id: sessionTable.id }).from(sessionTable).where(eq(sessionTable.userId, userId))).length;

async function eventsOf(userId: string, type: string) {
  await flushBackground();
  return getDb()
    .select()
    .from(securityEvent)
    .where(and(eq(securityEvent.userId, userId), eq(securityEvent.type, type)));
}

/** A user with one passkey on a software authenticator. */
async function withPasskey(name = "Laptop") {
  const u = await signedIn();
  const a = authenticator();
  const res = await addPasskey(u.b, a, name);
  expect(res.status).toBe(200);
  await flushBackground();
  const [row] = await passkeysOf(u.userId);
  return { ...u, a, passkeyId: row!.id };
}

describe("relying party", () => {
  it("the RP ID and origin come from APP_URL, not from the request", async () => {
    expect(relyingParty("https://app.example.test/")).toEqual({ rpID: "app.example.test", origin: "https://app.example.test" });
    const { b } = await signedIn();
    const options = await (await b.auth("/passkey/generate-register-options", undefined, { headers: { host: "evil.example" } })).json();
    expect(options.rp).toEqual({ name: "Revocable", id: "localhost" });
    expect(options.authenticatorSelection).toMatchObject({ residentKey: "required", userVerification: "required" });
  });
});

describe("adding a passkey", () => {
  it("needs a session and a fresh sign-in; is stored, emailed and recorded", async () => {
    expect((await new Browser().auth("/passkey/generate-register-options")).status).toBe(401);
    const { b, email, userId } = await signedIn();
    const a = authenticator();
    // Options asked for while fresh, answered once stale: still refused.
    const options = await (await b.auth("/passkey/generate-register-options")).json();
    await backdateSignIn(await sessionIdOf(b), 60 * 60 * 1000);
    const staleVerify = await b.auth("/passkey/verify-registration", { response: a.create(options), name: "Stale" });
    expect(staleVerify.status).toBe(403);
    expect((await staleVerify.json()).code).toBe("REAUTHENTICATION_REQUIRED");
    const staleOptions = await b.auth("/passkey/generate-register-options");
    expect(staleOptions.status).toBe(403);
    expect(await passkeysOf(userId)).toEqual([]);

    const fresh = new Browser();
    await signIn(fresh, email);
    const started = Date.now();
    const res = await addPasskey(fresh, a, "  Work laptop  ");
    expect(res.status).toBe(200);
    const rows = await passkeysOf(userId);
    expect(rows).toEqual([expect.objectContaining({ name: "Work laptop", counter: 0 })]);
    const mail = await waitForEmail(email, "second-factor-changed", started);
    expect(mail.subject).toBe("A passkey was added to your account");
    const [event] = await eventsOf(userId, "passkey-added");
    expect(event).toMatchObject({ sessionId: await sessionIdOf(fresh), detail: { passkeyName: "Work laptop" } });
  });

  it("an authenticator that did not verify the user (no UV) is refused, nothing stored", async () => {
    const { b, userId } = await signedIn();
    const res = await addPasskey(b, authenticator(false));
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe("USER_VERIFICATION_REQUIRED");
    expect(await passkeysOf(userId)).toEqual([]);
    expect(await eventsOf(userId, "passkey-added")).toEqual([]);
  });

  it("createSession (a session made outside the sign-in rules) is refused", async () => {
    const { b, userId } = await signedIn();
    const options = await (await b.auth("/passkey/generate-register-options")).json();
    const res = await b.auth("/passkey/verify-registration", { response: authenticator().create(options), createSession: true });
    expect(res.status).toBe(400);
    expect(await passkeysOf(userId)).toEqual([]);
    expect(await sessionCount(userId)).toBe(1);
  });

  it("a name that is too long or has control characters is refused", async () => {
    const { b, userId } = await signedIn();
    for (const name of ["x".repeat(101), "bad\u0007name"]) {
      const options = await (await b.auth("/passkey/generate-register-options")).json();
      const res = await b.auth("/passkey/verify-registration", { response: authenticator().create(options), name });
      expect(res.status, name).toBe(400);
    }
    expect(await passkeysOf(userId)).toEqual([]);
  });
});

describe("signing in with a passkey", () => {
  it("creates an ordinary session: indexed, listed with method passkey, announced, recorded, revocable at once", async () => {
    const { email, userId, a } = await withPasskey();
    const b = new Browser();
    const started = Date.now();
    const res = await signInWithPasskey(b, a);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.user.id).toBe(userId);
    expect(body.session.token).toBeNull(); // the cookie is all the browser gets
    const sessionId = await sessionIdOf(b);
    const [row] = await getDb().select({ m: sessionTable.signInMethod }).from(sessionTable).where(eq(sessionTable.id, sessionId));
    expect(row!.m).toBe("passkey");
    await flushRepairs();
    const stores = await bothStores(userId);
    expect(stores.redis).toEqual(stores.postgres);
    expect(stores.redis).toContain(sessionId);
    const list = (await (await b.api(listRoute, "/api/sessions")).json()) as { sessions: { id: string; signInMethod: string; signInWith: string; current: boolean }[] };
    expect(list.sessions.find((s) => s.id === sessionId)).toMatchObject({ signInMethod: "passkey", signInWith: "passkey" });
    expect((await waitForEmail(email, "new-sign-in", started)).subject).toBeTruthy();
    const signIns = await eventsOf(userId, "sign-in");
    expect(signIns.find((e) => e.sessionId === sessionId)?.detail).toMatchObject({ method: "passkey" });
    // The counter moved on.
    expect((await passkeysOf(userId))[0]!.counter).toBe(1);

    await revokeSessions(userId, { sessionIds: [sessionId] });
    expect((await b.throughProxy("/settings/security")).status).not.toBe(200);
    expect((await b.auth("/get-session")).status).toBe(401);
  });

  it("without user verification: 400, no session, no cookie", async () => {
    const { userId, a } = await withPasskey();
    const before = await sessionCount(userId);
    a.userVerified = false;
    const b = new Browser();
    const res = await signInWithPasskey(b, a);
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe("USER_VERIFICATION_REQUIRED");
    expect(b.cookies.has("rv.session_token")).toBe(false);
    expect(await sessionCount(userId)).toBe(before);
    expect((await passkeysOf(userId))[0]!.counter).toBe(0);
  });

  it("a wrong challenge, a replayed assertion, a counter gone back, an unknown credential, a foreign origin: 4xx, no session", async () => {
    const { userId, a } = await withPasskey();
    const before = await sessionCount(userId);
    const b = new Browser();
    const refused = async (response: unknown) => {
      const res = await b.auth("/passkey/verify-authentication", { response });
      expect(res.status, JSON.stringify(await res.clone().json())).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      return res;
    };

    // Signed over a challenge this browser was not given.
    await authenticationOptions(b);
    await refused(a.get({ challenge: Buffer.from("not the challenge").toString("base64url") }));

    // A good assertion replayed: once used (challenge consumed), and against a new challenge.
    const good = a.get(await authenticationOptions(b));
    const ok = await b.auth("/passkey/verify-authentication", { response: good });
    expect(ok.status).toBe(200);
    const c = new Browser();
    await c.auth("/passkey/verify-authentication", { response: good }).then((r) => expect(r.status).toBe(400)); // no challenge cookie
    await authenticationOptions(c);
    await c.auth("/passkey/verify-authentication", { response: good }).then((r) => expect(r.status).toBe(400));
    const used = before;
    expect(await sessionCount(userId)).toBe(used + 1);

    // The authenticator's counter went back (a cloned key): refused.
    a.credentials[0]!.counter = 0;
    await authenticationOptions(c);
    await c.auth("/passkey/verify-authentication", { response: a.get(await authenticationOptions(c)) }).then((r) => expect(r.status).toBe(400));

    // A credential the server never registered.
    const stranger = authenticator();
    stranger.create({ challenge: "x", rp: { id: "localhost", name: "x" }, user: { id: "u", name: "u" } });
    const unknown = await c.auth("/passkey/verify-authentication", { response: stranger.get(await authenticationOptions(c)) });
    expect(unknown.status).toBe(401);

    // Signed for another origin (a phishing site relaying the challenge).
    a.credentials[0]!.counter = 100;
    a.origin = "https://evil.example";
    await c.auth("/passkey/verify-authentication", { response: a.get(await authenticationOptions(c)) }).then((r) => expect(r.status).toBe(400));

    // Garbage where the assertion goes.
    await authenticationOptions(c);
    await c.auth("/passkey/verify-authentication", { response: { id: "x", response: {} } }).then((r) => expect([400, 401]).toContain(r.status));
    await c.auth("/passkey/verify-authentication", { response: "nope" }).then((r) => expect(r.status).toBe(400));
    expect(c.cookies.has("rv.session_token")).toBe(false);
    expect(await sessionCount(userId)).toBe(used + 1);
  });

  it("an account with TOTP on signs in with a UV passkey without the code step (the passkey is two factors)", async () => {
    const { b, userId, a } = await withPasskey();
    const enable = await b.auth("/two-factor/enable", { password: PASSWORD });
    const totp = OTPAuth.URI.parse(((await enable.json()) as { totpURI: string }).totpURI) as OTPAuth.TOTP;
    expect((await b.auth("/two-factor/verify-totp", { code: totp.generate() })).status).toBe(200);
    const other = new Browser();
    const res = await signInWithPasskey(other, a);
    expect(res.status).toBe(200);
    expect((await res.json()).twoFactorRedirect).toBeUndefined();
    const [row] = await getDb().select({ m: sessionTable.signInMethod }).from(sessionTable).where(eq(sessionTable.id, await sessionIdOf(other)));
    expect(row!.m).toBe("passkey");
    expect((await other.auth("/get-session")).status).toBe(200);
    expect(userId).toBeTruthy();
  });

  it("runs end to end over HTTP against the app's request path", async () => {
    const { email, a } = await withPasskey();
    const app = await startHttpApp();
    try {
      const jar = new Map<string, string>();
      const send = async (path: string, body?: unknown) => {
        const res = await fetch(`${app.url}/api/auth${path}`, {
          method: body === undefined ? "GET" : "POST",
          headers: { origin: ORIGIN, "content-type": "application/json", cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; ") },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        for (const line of res.headers.getSetCookie()) {
          const [pair] = line.split(";");
          const i = pair!.indexOf("=");
          jar.set(pair!.slice(0, i), pair!.slice(i + 1));
        }
        return res;
      };
      const options = await (await send("/passkey/generate-authenticate-options")).json();
      const res = await send("/passkey/verify-authentication", { response: a.get(options) });
      expect(res.status).toBe(200);
      const session = await send("/get-session");
      expect((await session.json()).user.email).toBe(email);
    } finally {
      await app.close();
    }
  });
});

describe("managing passkeys", () => {
  it("lists and renames the user's own; another user's id is 404 and nothing changes", async () => {
    const { b, userId, passkeyId } = await withPasskey("Phone");
    const list = await (await b.auth("/passkey/list-user-passkeys")).json();
    expect(list).toEqual([expect.objectContaining({ id: passkeyId, name: "Phone" })]);
    expect((await b.auth("/passkey/update-passkey", { id: passkeyId, name: "Old phone" })).status).toBe(200);
    expect((await passkeysOf(userId))[0]!.name).toBe("Old phone");
    expect((await b.auth("/passkey/update-passkey", { id: passkeyId, name: "   " })).status).toBe(400);

    const intruder = await signedIn();
    expect(await (await intruder.b.auth("/passkey/list-user-passkeys")).json()).toEqual([]);
    const rename = await intruder.b.auth("/passkey/update-passkey", { id: passkeyId, name: "Mine now" });
    expect(rename.status).toBe(404);
    expect((await rename.json()).code).toBe("PASSKEY_NOT_FOUND");
    const del = await intruder.b.auth("/passkey/delete-passkey", { id: passkeyId });
    expect(del.status).toBe(404);
    expect((await b.auth("/passkey/delete-passkey", { id: "no-such-passkey" })).status).toBe(404);
    expect(await passkeysOf(userId)).toEqual([expect.objectContaining({ id: passkeyId, name: "Old phone" })]);
  });

  it("removing one needs a fresh sign-in, is emailed and recorded, and the passkey no longer signs in", async () => {
    const { b, email, userId, a, passkeyId } = await withPasskey("Tablet");
    await backdateSignIn(await sessionIdOf(b), 60 * 60 * 1000);
    const stale = await b.auth("/passkey/delete-passkey", { id: passkeyId });
    expect(stale.status).toBe(403);
    expect((await stale.json()).code).toBe("REAUTHENTICATION_REQUIRED");
    expect(await passkeysOf(userId)).toHaveLength(1);

    const fresh = new Browser();
    await signIn(fresh, email);
    const started = Date.now();
    expect((await fresh.auth("/passkey/delete-passkey", { id: passkeyId })).status).toBe(200);
    expect(await passkeysOf(userId)).toEqual([]);
    expect((await waitForEmail(email, "second-factor-changed", started)).subject).toBe("A passkey was removed from your account");
    const [event] = await eventsOf(userId, "passkey-removed");
    expect(event).toMatchObject({ detail: { passkeyName: "Tablet" } });
    const res = await signInWithPasskey(new Browser(), a);
    expect(res.status).toBe(401);
  });
});

describe("rate limits on the passkey sign-in", () => {
  withRateLimits();

  it("verify-authentication and generate-authenticate-options answer 429 past their limits", async () => {
    const b = new Browser();
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await b.auth("/passkey/verify-authentication", { response: { id: "x" } })).status);
    expect(statuses.slice(0, 10).every((s) => s !== 429)).toBe(true);
    expect(statuses[10]).toBe(429);
    const c = new Browser();
    const options: number[] = [];
    for (let i = 0; i < 21; i++) options.push((await c.auth("/passkey/generate-authenticate-options")).status);
    expect(options.slice(0, 20).every((s) => s === 200)).toBe(true);
    expect(options[20]).toBe(429);
  });
});
