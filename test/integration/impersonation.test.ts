// Support access ("impersonation") through the real better-auth handler, proxy gate, route
// handlers, Postgres and Redis: who may start it (role from Postgres, a fresh sign-in, the
// second factor, never an admin, oneself or a suspended account), the session it makes
// (indexed, method "impersonation", 1 hour absolute, listed to the user by the admin's name),
// what it may not do (403 IMPERSONATION_RESTRICTED), and how it ends (the admin stops, the
// user signs it out, the admin signs out), each audited and in the user's Recent activity.
import { and, eq } from "drizzle-orm";
import * as OTPAuth from "otpauth";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { adminAudit, session as sessionTable, user as userTable } from "@/db/schema";
import { GET as searchRoute } from "@/app/api/admin/users/route";
import { POST as reportRoute } from "@/app/api/report-sign-in/route";
import { GET as listRoute } from "@/app/api/sessions/route";
import { POST as revokeRoute } from "@/app/api/sessions/revoke/route";
import { setRoleByEmail } from "@/lib/admin/roles";
import { isRestrictedWhileImpersonating } from "@/lib/auth/impersonation";
import { flushBackground } from "@/lib/background";
import { env } from "@/lib/env";
import { flushMail } from "@/lib/mail";
import { listActivity } from "@/lib/security/activity";
import { flushRepairs } from "@/lib/sessions/repairs";
import { sessionCookieName } from "@/lib/sessions/cookie";
import { Browser, outbox, PASSWORD, signUpVerified, UA, uniqueEmail } from "../support/browser";
import { backdateSignIn, bothStores, checkAndRepair, sessionIdOf, tokenOf, userIdOf } from "../support/sessions";

async function account(tag = "user", ua: string = UA.macChrome) {
  const b = new Browser(ua);
  const { email } = await signUpVerified(b, uniqueEmail(tag));
  const id = await userIdOf(email);
  await getDb().update(userTable).set({ name: `${tag} person` }).where(eq(userTable.id, id));
  return { b, email, id };
}

/** An admin signed in just now (fresh), on Firefox so its browser is told apart from the user's. */
async function admin(tag = "admin") {
  const a = await account(tag, UA.windowsFirefox);
  await setRoleByEmail(a.email, "admin");
  return a;
}

const start = (b: Browser, userId: unknown) => b.auth("/admin/impersonate-user", { userId });
const stop = (b: Browser) => b.auth("/admin/stop-impersonating", {});

async function errorOf(res: Response) {
  const body = (await res.json()) as { code?: string; error?: { code?: string } };
  return body.error?.code ?? body.code;
}

async function sessionRow(id: string) {
  const [row] = await getDb().select().from(sessionTable).where(eq(sessionTable.id, id));
  return row;
}

async function auditOf(targetUserId: string) {
  return getDb().select().from(adminAudit).where(eq(adminAudit.targetUserId, targetUserId)).orderBy(adminAudit.id);
}

/** The admin impersonating the user: the admin's own session id, the support session's id. */
async function impersonating() {
  const a = await admin();
  const u = await account("target");
  const adminSessionId = await sessionIdOf(a.b);
  const res = await start(a.b, u.id);
  expect(res.status).toBe(200);
  await flushRepairs();
  await flushBackground();
  const supportSessionId = await sessionIdOf(a.b);
  return { a, u, adminSessionId, supportSessionId };
}

describe("who may start support access", () => {
  it("a plain user gets 403; nobody signed in gets 401; a cross-site POST is refused", async () => {
    const u = await account("plain");
    const t = await account("victim");
    const res = await start(u.b, t.id);
    expect(res.status).toBe(403);
    expect(await errorOf(res)).toBe("FORBIDDEN");
    expect(u.b.cookies.has(sessionCookieName())).toBe(true);
    expect(await sessionIdOf(u.b)).toBeTruthy();
    expect((await start(new Browser(), t.id)).status).toBe(401);
    const a = await admin();
    const cross = await a.b.auth("/admin/impersonate-user", { userId: t.id }, { headers: { origin: "https://evil.example" } });
    expect(cross.status).toBe(403);
    expect(await errorOf(cross)).toBe("CROSS_SITE_REQUEST");
    expect((await bothStores(t.id)).postgres).toHaveLength(1);
  });

  it("needs a fresh sign-in: a session older than SESSION_FRESH_AGE is refused", async () => {
    const a = await admin();
    const t = await account("stale");
    await backdateSignIn(await sessionIdOf(a.b), (env().SESSION_FRESH_AGE + 1) * 1000);
    const res = await start(a.b, t.id);
    expect(res.status).toBe(403);
    expect(await errorOf(res)).toBe("REAUTHENTICATION_REQUIRED");
    expect((await bothStores(t.id)).postgres).toHaveLength(1);
  });

  it("the role is read from Postgres: a demoted admin is refused at once", async () => {
    const a = await admin();
    const t = await account("demoted");
    await setRoleByEmail(a.email, "user");
    const res = await start(a.b, t.id);
    expect(res.status).toBe(403);
    expect(await errorOf(res)).toBe("FORBIDDEN");
  });

  it("an admin with two-factor on must have signed in with it", async () => {
    const a = await admin("admin2fa");
    const t = await account("t2fa");
    const enable = await a.b.auth("/two-factor/enable", { password: PASSWORD });
    expect(enable.status).toBe(200);
    const totp = OTPAuth.URI.parse(((await enable.json()) as { totpURI: string }).totpURI) as OTPAuth.TOTP;
    expect((await a.b.auth("/two-factor/verify-totp", { code: totp.generate() })).status).toBe(200);
    await flushBackground();
    // This session was signed in with the password only (turning two-factor on re-issues it).
    const refused = await start(a.b, t.id);
    expect(refused.status).toBe(403);
    expect(await errorOf(refused)).toBe("SECOND_FACTOR_REQUIRED");
    // Signed in again with the authenticator app: allowed.
    const b = new Browser(UA.windowsFirefox);
    expect((await b.auth("/sign-in/email", { email: a.email, password: PASSWORD })).status).toBe(200);
    const second = await b.auth("/two-factor/verify-totp", { code: totp.generate({ timestamp: Date.now() + 30_000 }) });
    expect(second.status).toBe(200);
    const ok = await start(b, t.id);
    expect(ok.status).toBe(200);
  });

  it("never another admin, oneself, a suspended account or nobody; the body is exactly {userId}", async () => {
    const a = await admin();
    const other = await admin("other-admin");
    const banned = await account("banned");
    await getDb().update(userTable).set({ banned: true }).where(eq(userTable.id, banned.id));
    const t = await account("strict");
    for (const [userId, status, code] of [
      [other.id, 403, "CANNOT_IMPERSONATE_ADMIN"],
      [a.id, 400, "CANNOT_IMPERSONATE_SELF"],
      [banned.id, 403, "CANNOT_IMPERSONATE_BANNED"],
      ["no-such-user", 404, "USER_NOT_FOUND"],
    ] as const) {
      const res = await start(a.b, userId);
      expect(res.status, code).toBe(status);
      expect(await errorOf(res)).toBe(code);
    }
    const extra = await a.b.auth("/admin/impersonate-user", { userId: t.id, impersonatedBy: "x" });
    expect(extra.status).toBe(400);
    expect((await start(a.b, 42)).status).toBe(400);
    // Still the admin's own session, and nothing started.
    expect((await a.b.api(searchRoute, "/api/admin/users")).status).toBe(200);
    expect((await bothStores(other.id)).postgres).toHaveLength(1);
    expect((await bothStores(t.id)).postgres).toHaveLength(1);
  });
});

describe("the support session", () => {
  it("is made by better-auth with every hook: indexed, method impersonation, impersonated_by, 1 hour, no new-device email", async () => {
    const before = Date.now();
    const { a, u, adminSessionId, supportSessionId } = await impersonating();
    expect(supportSessionId).not.toBe(adminSessionId);
    expect(a.b.cookies.has("rv.admin_session")).toBe(true);
    const stores = await bothStores(u.id);
    expect(stores.postgres).toContain(supportSessionId);
    expect(stores.redis).toContain(supportSessionId);
    const row = await sessionRow(supportSessionId);
    expect(row).toMatchObject({ impersonatedBy: a.id, signInMethod: "impersonation", deviceId: null });
    expect(row!.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 3600_000 - 1000);
    expect(row!.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 3600_000 + 1000);
    // The admin's own session is kept, untouched.
    expect((await bothStores(a.id)).redis).toEqual([adminSessionId]);
    await flushMail();
    expect((await outbox()).filter((m) => m.to === u.email && m.template === "new-sign-in")).toEqual([]);
  });

  it("signs none of the user's devices out, even at the concurrent-session limit", async () => {
    const a = await admin();
    const u = await account("full");
    const others = [new Browser(UA.windowsFirefox), new Browser(UA.androidChrome)];
    for (const b of others) expect((await b.auth("/sign-in/email", { email: u.email, password: PASSWORD })).status).toBe(200);
    await flushRepairs();
    const own = (await bothStores(u.id)).postgres;
    expect(own.length).toBe(env().SESSION_MAX_CONCURRENT);
    expect((await start(a.b, u.id)).status).toBe(200);
    await flushRepairs();
    await flushBackground();
    const supportSessionId = await sessionIdOf(a.b);
    const stores = await bothStores(u.id);
    expect(stores.postgres.sort()).toEqual([...own, supportSessionId].sort());
    expect(stores.redis.sort()).toEqual(stores.postgres.sort());
    for (const b of [u.b, ...others]) expect((await b.auth("/get-session")).status).toBe(200);
  });

  it("is listed in the user's Active devices as support, by the admin's name only, and in Recent activity and the audit", async () => {
    const { a, u, supportSessionId } = await impersonating();
    const list = (await (await u.b.api(listRoute, "/api/sessions")).json()) as {
      sessions: { id: string; signInMethod: string; impersonatedBy: { name: string } | null; isCurrent: boolean }[];
    };
    const support = list.sessions.find((s) => s.id === supportSessionId);
    expect(support).toMatchObject({ signInMethod: "impersonation", impersonatedBy: { name: "admin person" }, isCurrent: false });
    expect(JSON.stringify(support)).not.toContain(a.email);
    expect(list.sessions.find((s) => s.isCurrent)?.impersonatedBy).toBeNull();
    const activity = await listActivity(u.id, await sessionIdOf(u.b), { cursor: null, limit: 20 });
    expect(activity.events[0]).toMatchObject({ type: "impersonation-started", supportName: "admin person" });
    expect(activity.events.filter((e) => e.type === "sign-in")).toHaveLength(1); // the user's own only
    const audit = await auditOf(u.id);
    expect(audit.map((r) => r.action)).toEqual(["impersonation.start"]);
    expect(audit[0]).toMatchObject({ actorId: a.id, actorEmail: a.email, targetEmail: u.email, ipAddress: a.b.ip, detail: expect.objectContaining({ sessionId: supportSessionId }) });
  });

  it("is refused after 1 hour however recently it was used (absolute, not the idle rule)", async () => {
    const { a, u } = await impersonating();
    const token = tokenOf(a.b);
    expect((await checkAndRepair(token, Date.now() + 59 * 60_000)).ok).toBe(true);
    const late = await checkAndRepair(token, Date.now() + 61 * 60_000);
    expect(late).toMatchObject({ ok: false, reason: "expired" });
    // The user's own session, at the same moment, is still fine: only support's has the hour.
    expect((await checkAndRepair(tokenOf(u.b), Date.now() + 61 * 60_000)).ok).toBe(true);
  });
});

describe("what a support session may not do: 403 IMPERSONATION_RESTRICTED", () => {
  it("password, email, factors, linked accounts, the account, devices, other support sessions", async () => {
    const { a, u, supportSessionId } = await impersonating();
    const other = await account("other-target");
    const calls: [string, unknown][] = [
      ["/change-password", { currentPassword: PASSWORD, newPassword: "another long password" }],
      ["/change-email", { newEmail: uniqueEmail("new") }],
      ["/update-user", { name: "Changed by support" }],
      ["/delete-user", { password: PASSWORD }],
      ["/request-password-reset", { email: u.email }],
      ["/reset-password", { token: "x".repeat(24), newPassword: "another long password" }],
      ["/link-social", { provider: "github" }],
      ["/unlink-account", { providerId: "credential" }],
      ["/device/approve", { userCode: "ABCD-EFGH" }],
      ["/device/deny", { userCode: "ABCD-EFGH" }],
      ["/two-factor/enable", { password: PASSWORD }],
      ["/two-factor/disable", { password: PASSWORD }],
      ["/two-factor/generate-backup-codes", { password: PASSWORD }],
      ["/two-factor/get-totp-uri", { password: PASSWORD }],
      ["/admin/impersonate-user", { userId: other.id }],
    ];
    for (const [path, body] of calls) {
      const res = await a.b.auth(path, body);
      expect(res.status, path).toBe(403);
      expect(await res.json(), path).toEqual({ code: "IMPERSONATION_RESTRICTED", message: expect.any(String), error: { code: "IMPERSONATION_RESTRICTED", message: expect.any(String) } });
    }
    // The app's own routes: sessions and "this wasn't me".
    const userSessionId = await sessionIdOf(u.b);
    for (const body of [{ all: true }, { sessionId: userSessionId }, { sessionId: userSessionId, password: PASSWORD }]) {
      const res = await a.b.api(revokeRoute, "/api/sessions/revoke", { body });
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ error: { code: "IMPERSONATION_RESTRICTED", message: expect.any(String) } });
    }
    const report = await a.b.api(reportRoute, "/api/report-sign-in", { body: { token: "x" } });
    expect(report.status).toBe(403);
    expect(await errorOf(report)).toBe("IMPERSONATION_RESTRICTED");
    // Passkeys (not installed yet) are covered by prefix.
    expect(isRestrictedWhileImpersonating("/passkey/add-passkey")).toBe(true);
    expect(isRestrictedWhileImpersonating("/passkey/delete-passkey")).toBe(true);
    expect(isRestrictedWhileImpersonating("/get-session")).toBe(false);
    // Nothing changed: the user's name, both the user's sessions, and support still reads.
    const [row] = await getDb().select({ name: userTable.name }).from(userTable).where(eq(userTable.id, u.id));
    expect(row?.name).toBe("target person");
    expect((await bothStores(u.id)).postgres.sort()).toEqual([userSessionId, supportSessionId].sort());
    expect((await a.b.api(listRoute, "/api/sessions")).status).toBe(200);
    // The user's own session is not restricted.
    expect((await u.b.auth("/update-user", { name: "Renamed by me" })).status).toBe(200);
  });
});

describe("how it ends", () => {
  it("the admin stops: back to the admin's own session, support's ended in both stores, audited, in Recent activity", async () => {
    const { a, u, adminSessionId, supportSessionId } = await impersonating();
    const cross = await a.b.auth("/admin/stop-impersonating", {}, { headers: { origin: "https://evil.example" } });
    expect(cross.status).toBe(403);
    expect(await sessionIdOf(a.b)).toBe(supportSessionId);
    const res = await stop(a.b);
    expect(res.status).toBe(200);
    await flushRepairs();
    await flushBackground();
    expect(await sessionIdOf(a.b)).toBe(adminSessionId);
    expect(a.b.cookies.has("rv.admin_session")).toBe(false);
    expect((await a.b.api(searchRoute, "/api/admin/users")).status).toBe(200);
    const stores = await bothStores(u.id);
    expect(stores.postgres).not.toContain(supportSessionId);
    expect(stores.redis).not.toContain(supportSessionId);
    expect((await auditOf(u.id)).map((r) => r.action)).toEqual(["impersonation.start", "impersonation.stop"]);
    const activity = await listActivity(u.id, await sessionIdOf(u.b), { cursor: null, limit: 20 });
    expect(activity.events.slice(0, 2).map((e) => [e.type, e.supportName])).toEqual([
      ["impersonation-ended", "admin person"],
      ["impersonation-started", "admin person"],
    ]);
  });

  it("the user signs it out from the panel (no password needed even from an older sign-in): support's cookie is refused at once, the admin returns to their own session", async () => {
    const { a, u, adminSessionId, supportSessionId } = await impersonating();
    const supportToken = tokenOf(a.b);
    await backdateSignIn(await sessionIdOf(u.b), (env().SESSION_FRESH_AGE + 1) * 1000);
    const res = await u.b.api(revokeRoute, "/api/sessions/revoke", { body: { sessionId: supportSessionId } });
    expect(res.status).toBe(200);
    await flushRepairs();
    await flushBackground();
    expect((await checkAndRepair(supportToken)).ok).toBe(false);
    expect((await a.b.throughProxy("/api/sessions")).status).toBe(401);
    // The admin's tab then asks to stop (lib/ui/impersonation.ts): their own session is back.
    const back = await stop(a.b);
    expect(back.status).toBe(200);
    expect(await back.json()).toEqual({ resumed: true });
    expect(await sessionIdOf(a.b)).toBe(adminSessionId);
    expect((await a.b.api(searchRoute, "/api/admin/users")).status).toBe(200);
    const activity = await listActivity(u.id, await sessionIdOf(u.b), { cursor: null, limit: 20 });
    expect(activity.events[0]).toMatchObject({ type: "impersonation-ended", reason: "revoke", supportName: "admin person" });
    expect((await auditOf(u.id)).map((r) => [r.action, (r.detail as { endedBy?: string } | null)?.endedBy ?? null])).toEqual([
      ["impersonation.start", null],
      ["impersonation.stop", "user"],
    ]);
    // The user's other endpoint for ending sessions still asks for a password: only support's is exempt.
    const again = await u.b.api(revokeRoute, "/api/sessions/revoke", { body: { all: true } });
    expect(again.status).toBe(403);
  });

  it("the admin signs out while impersonating: the support session and the admin's own end, in both stores", async () => {
    const { a, u, adminSessionId, supportSessionId } = await impersonating();
    const res = await a.b.auth("/sign-out", {});
    expect(res.status).toBe(200);
    await flushRepairs();
    await flushBackground();
    const user = await bothStores(u.id);
    expect(user.postgres).not.toContain(supportSessionId);
    expect(user.redis).not.toContain(supportSessionId);
    const own = await bothStores(a.id);
    expect(own).toEqual({ postgres: [], redis: [] });
    expect(a.b.signedIn()).toBe(false);
    expect(a.b.cookies.has("rv.admin_session")).toBe(false);
    expect(await sessionRow(adminSessionId)).toBeUndefined();
    expect((await auditOf(u.id)).map((r) => r.action)).toEqual(["impersonation.start", "impersonation.stop"]);
  });

  it("stop with the admin's own session ended meanwhile: refused, and the support session ends with it", async () => {
    const { a, u, adminSessionId, supportSessionId } = await impersonating();
    // The admin is signed out everywhere from another device (e.g. the operator CLI).
    await getDb().delete(sessionTable).where(and(eq(sessionTable.id, adminSessionId)));
    const { endSessions } = await import("@/lib/sessions/lifecycle");
    await endSessions(a.id, { sessionIds: [adminSessionId] });
    const res = await stop(a.b);
    expect(res.status).toBe(401);
    await flushBackground();
    expect((await bothStores(u.id)).postgres).not.toContain(supportSessionId);
    expect(a.b.signedIn()).toBe(false);
  });

  it("stop from a session that is not support access: 400, nothing changes", async () => {
    const u = await account("not-support");
    const res = await stop(u.b);
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toBe("NOT_IMPERSONATING");
    const a = await admin();
    expect((await stop(a.b)).status).toBe(400);
    expect((await a.b.api(searchRoute, "/api/admin/users")).status).toBe(200);
  });
});
