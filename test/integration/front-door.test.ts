// One front door: better-auth's own endpoints obey the app's session rules. Endpoints are
// listed from better-auth's API object, not by hand, so one a future version adds is
// gated by default and this test names any that slips through.
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { getDb } from "@/db";
import { user } from "@/db/schema";
import { GET as listRoute } from "@/app/api/sessions/route";
import { POST as revokeRoute } from "@/app/api/sessions/revoke/route";
import { getAuth } from "@/lib/auth";
import { DISABLED_PATHS, FRESH_SIGN_IN_PATHS, PASSWORD_OR_FRESH_SIGN_IN, PUBLIC_PATHS } from "@/lib/auth/front-door";
import { env } from "@/lib/env";
import { revokeSessions } from "@/lib/sessions/lifecycle";
import { Browser, PASSWORD, signIn, signUpVerified } from "../support/browser";
import { backdateSignIn, bothStores, sessionIdOf, tokenOf, userIdOf } from "../support/sessions";
import { flushRepairs } from "@/lib/sessions/repairs";

interface Endpoint {
  key: string;
  path: string;
  method: string;
}

/** Every endpoint better-auth serves over HTTP, from its API object. */
function httpEndpoints(): Endpoint[] {
  const out: Endpoint[] = [];
  for (const [key, value] of Object.entries(getAuth().api)) {
    const endpoint = value as { path?: unknown; options?: { method?: string | string[]; metadata?: { SERVER_ONLY?: boolean } } };
    if (typeof endpoint.path !== "string" || endpoint.options?.metadata?.SERVER_ONLY) continue;
    const m = endpoint.options?.method;
    const method = (Array.isArray(m) ? m[0] : m) ?? "GET";
    out.push({ key, path: endpoint.path, method: method === "*" ? "GET" : method });
  }
  return out;
}

/** A concrete URL for a path pattern (":token" -> "x"). */
const concrete = (path: string) => path.replace(/:[A-Za-z]+/g, "x");

function call(b: Browser, e: Endpoint) {
  return e.method === "GET" ? b.auth(concrete(e.path)) : b.auth(concrete(e.path), {}, { method: e.method });
}

async function signedIn() {
  const b = new Browser();
  const { email } = await signUpVerified(b);
  await flushRepairs();
  return { b, email, userId: await userIdOf(email) };
}

/** Moves the clock (Date only; I/O timers stay real) past the inactivity timeout. */
function goIdle() {
  vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + env().SESSION_IDLE_TIMEOUT * 1000 + 3_000 });
}

afterEach(() => {
  vi.useRealTimers();
});

describe("every better-auth endpoint is public (explicitly), disabled, or gated by the app's check", () => {
  const endpoints = httpEndpoints();
  const gated = endpoints.filter((e) => !(e.path in PUBLIC_PATHS) && !DISABLED_PATHS.includes(e.path));

  it("lists better-auth's endpoints, and every allow-list entry names a real one", () => {
    const paths = new Set(endpoints.map((e) => e.path));
    expect(paths.size).toBeGreaterThan(20);
    for (const p of [...Object.keys(PUBLIC_PATHS), ...DISABLED_PATHS, ...Object.keys(PASSWORD_OR_FRESH_SIGN_IN), ...Object.keys(FRESH_SIGN_IN_PATHS)]) {
      expect(paths, `${p} is listed but better-auth has no such endpoint`).toContain(p);
    }
    expect(gated.map((e) => e.path)).toEqual(
      expect.arrayContaining([
        "/get-session",
        "/update-user",
        "/list-accounts",
        "/change-password",
        "/delete-user",
        "/link-social",
        "/unlink-account",
        // Passkeys: managing them needs a session; only the sign-in pair is public.
        "/passkey/generate-register-options",
        "/passkey/verify-registration",
        "/passkey/list-user-passkeys",
        "/passkey/update-passkey",
        "/passkey/delete-passkey",
      ]),
    );
    expect(Object.keys(PUBLIC_PATHS).filter((p) => p.startsWith("/passkey/"))).toEqual(["/passkey/generate-authenticate-options", "/passkey/verify-authentication"]);
    for (const p of ["/passkey/generate-register-options", "/passkey/verify-registration", "/passkey/delete-passkey"]) expect(FRESH_SIGN_IN_PATHS).toHaveProperty([p]);
  });

  it("disabled endpoints answer 404 over HTTP, even to a live session", async () => {
    const { b } = await signedIn();
    for (const e of endpoints.filter((x) => DISABLED_PATHS.includes(x.path))) {
      const res = await call(b, e);
      expect(res.status, `${e.method} ${e.path}`).toBe(404);
    }
  });

  it("a revoked session gets 401 from the app's check on every gated endpoint", async () => {
    const { b, userId } = await signedIn();
    const cookie = b.cookies.get("rv.session_token")!;
    await revokeSessions(userId, { sessionIds: [await sessionIdOf(b)] });
    for (const e of gated) {
      b.cookies.set("rv.session_token", cookie);
      const res = await call(b, e);
      expect(res.status, `${e.method} ${e.path}`).toBe(401);
      expect((await res.json()).code, `${e.method} ${e.path}`).toBe("UNAUTHENTICATED");
    }
  });

  it("an idle session gets 401 from the app's check on every gated endpoint (a fresh idle session each)", async () => {
    for (const e of gated) {
      const { b } = await signedIn();
      goIdle();
      const res = await call(b, e);
      vi.useRealTimers();
      expect(res.status, `${e.method} ${e.path}`).toBe(401);
      expect((await res.json()).code, `${e.method} ${e.path}`).toBe("UNAUTHENTICATED");
      expect(res.headers.getSetCookie().join(";"), `${e.path} clears the cookie`).toMatch(/rv\.session_token=;/);
    }
  });

  it("without any cookie, gated endpoints answer 401 too", async () => {
    const anon = new Browser();
    for (const e of gated) expect((await call(anon, e)).status, `${e.method} ${e.path}`).toBe(401);
  });

  it("a live session passes the check: get-session answers with its user", async () => {
    const { b, email } = await signedIn();
    const res = await b.auth("/get-session");
    expect(res.status).toBe(200);
    expect((await res.json()).user.email).toBe(email);
  });

  it("two session cookies in one request are refused (we would check one, better-auth might use the other)", async () => {
    const a = await signedIn();
    const b = await signedIn();
    const headers = new Headers(a.b.headers());
    headers.set("cookie", `rv.session_token=${a.b.cookies.get("rv.session_token")}; rv.session_token=${b.b.cookies.get("rv.session_token")}`);
    const res = await getAuth().handler(new Request("http://localhost:3000/api/auth/get-session", { headers }));
    expect(res.status).toBe(401);
  });
});

describe("the issue's findings, one by one", () => {
  it("idle: get-session, update-user, list-accounts and revoke-other-sessions refuse an idle session, like /api/sessions", async () => {
    const { b, userId } = await signedIn();
    const other = new Browser();
    const { email } = (await getDb().select({ email: user.email }).from(user).where(eq(user.id, userId)))[0]!;
    await signIn(other, email);
    const cookie = b.cookies.get("rv.session_token")!;
    goIdle();
    expect((await b.auth("/get-session")).status).toBe(401);
    b.cookies.set("rv.session_token", cookie);
    expect((await b.auth("/update-user", { name: "Renamed by an idle cookie" })).status).toBe(401);
    b.cookies.set("rv.session_token", cookie);
    expect((await b.auth("/list-accounts")).status).toBe(401);
    b.cookies.set("rv.session_token", cookie);
    expect((await b.auth("/revoke-other-sessions", {})).status).toBe(404);
    b.cookies.set("rv.session_token", cookie);
    expect((await b.route(listRoute, "/api/sessions")).status).toBe(401);
    vi.useRealTimers();
    const [u] = await getDb().select({ name: user.name }).from(user).where(eq(user.id, userId));
    expect(u!.name).toBe("Test User");
    // The other device was not signed out by the idle one.
    expect((await other.auth("/get-session")).status).toBe(200);
  });

  it("freshness: a stale session cannot end other sessions through better-auth (revoke-other-sessions is gone, delete-user asks for the password)", async () => {
    const { b, email, userId } = await signedIn();
    const other = new Browser();
    await signIn(other, email);
    await flushRepairs();
    await backdateSignIn(await sessionIdOf(b), (env().SESSION_FRESH_AGE + 1) * 1000);

    const app = await b.route(revokeRoute, "/api/sessions/revoke", { body: { all: true } });
    expect(app.status).toBe(403);
    expect((await app.json()).error.code).toBe("reauthentication_required");
    expect((await b.auth("/revoke-other-sessions", {})).status).toBe(404);
    expect((await b.auth("/revoke-sessions", {})).status).toBe(404);

    const del = await b.auth("/delete-user", {});
    expect(del.status).toBe(403);
    expect((await del.json()).code).toBe("REAUTHENTICATION_REQUIRED");
    expect((await bothStores(userId)).postgres).toHaveLength(2);
    expect((await other.auth("/get-session")).status).toBe(200);
  });

  it("list-sessions is gone: no endpoint hands the browser its sessions' raw tokens", async () => {
    const { b, email } = await signedIn();
    await signIn(new Browser(), email);
    const res = await b.auth("/list-sessions");
    expect(res.status).toBe(404);
    // The app's own list has ids, never tokens.
    const list = await b.route(listRoute, "/api/sessions");
    expect(list.status).toBe(200);
    expect(JSON.stringify(await list.json())).not.toMatch(/token/i);
  });

  it("no better-auth answer hands script the session token the HttpOnly cookie holds", async () => {
    const b = new Browser();
    const { email } = await signUpVerified(b);
    const signedIn = await signIn(b, email);
    const raw = tokenOf(b);
    const bodies = [await signedIn.text(), await (await b.auth("/get-session")).text()];
    const changed = await b.auth("/change-password", { currentPassword: PASSWORD, newPassword: "yet another password 1" });
    expect(changed.status).toBe(200);
    bodies.push(await changed.text());
    const after = await b.auth("/get-session");
    expect(after.status).toBe(200);
    bodies.push(await after.text());
    const tokens = [raw, tokenOf(b)];
    for (const body of bodies) for (const t of tokens) expect(body).not.toContain(t);
    expect(JSON.parse(bodies[1]!).session.token).toBeNull();
  });

  it("password change ends every other session even when the client sends revokeOtherSessions: false; the changer continues on a new token", async () => {
    const { b, email, userId } = await signedIn();
    const other = new Browser();
    await signIn(other, email);
    await flushRepairs();
    const before = b.cookies.get("rv.session_token");
    const res = await b.auth("/change-password", { currentPassword: PASSWORD, newPassword: "a brand new password", revokeOtherSessions: false });
    expect(res.status).toBe(200);
    await flushRepairs();
    expect(b.cookies.get("rv.session_token")).not.toBe(before);
    expect((await b.auth("/get-session")).status).toBe(200);
    expect((await other.auth("/get-session")).status).toBe(401);
    const stores = await bothStores(userId);
    expect(stores.postgres).toEqual([await sessionIdOf(b)]);
    expect(stores.redis).toEqual(stores.postgres);
  });
});
