// The operator's console through the real proxy gate, route handlers, better-auth handler,
// Postgres and Redis: roles, search and a user's page, ending sessions, bans that end every
// session at once and refuse every sign-in, the append-only audit log and its export.
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { adminAudit, user as userTable } from "@/db/schema";
import { GET as auditRoute } from "@/app/api/admin/audit/route";
import { POST as banRoute } from "@/app/api/admin/users/[id]/ban/route";
import { POST as resetRoute } from "@/app/api/admin/users/[id]/password-reset/route";
import { GET as userRoute } from "@/app/api/admin/users/[id]/route";
import { POST as sessionsRoute } from "@/app/api/admin/users/[id]/sessions/route";
import { POST as unbanRoute } from "@/app/api/admin/users/[id]/unban/route";
import { GET as searchRoute } from "@/app/api/admin/users/route";
import { setRoleByEmail } from "@/lib/admin/roles";
import { flushBackground } from "@/lib/background";
import { flushMail } from "@/lib/mail";
import { listActivity } from "@/lib/security/activity";
import { flushRepairs } from "@/lib/sessions/repairs";
import { Browser, PASSWORD, signIn, signUpVerified, UA, uniqueEmail, waitForEmail } from "../support/browser";
import { bothStores, sessionIdOf, userIdOf } from "../support/sessions";

type Handler = (req: Request, ctx: { params: Promise<{ id: string }> }) => Promise<Response>;
/** A dynamic route as Next calls it: the request and its params. */
const withId = (handler: Handler, id: string) => (req: Request) => handler(req, { params: Promise.resolve({ id }) });

async function account(tag = "user", ua: string = UA.macChrome) {
  const b = new Browser(ua);
  const { email } = await signUpVerified(b, uniqueEmail(tag));
  return { b, email, id: await userIdOf(email) };
}

async function admin() {
  const a = await account("admin");
  await setRoleByEmail(a.email, "admin");
  return a;
}

async function audited(targetUserId: string) {
  return getDb().select().from(adminAudit).where(eq(adminAudit.targetUserId, targetUserId)).orderBy(adminAudit.id);
}

describe("roles: set by the operator command only, checked on the server for every action", () => {
  it("a plain user gets 403 from every console route; signed out gets 401 from the proxy", async () => {
    const u = await account();
    const target = await account("target");
    const calls = [
      () => u.b.api(searchRoute, "/api/admin/users?q=x"),
      () => u.b.api(withId(userRoute, target.id), `/api/admin/users/${target.id}`),
      () => u.b.api(withId(banRoute, target.id), `/api/admin/users/${target.id}/ban`, { body: {} }),
      () => u.b.api(withId(unbanRoute, target.id), `/api/admin/users/${target.id}/unban`, { method: "POST" }),
      () => u.b.api(withId(sessionsRoute, target.id), `/api/admin/users/${target.id}/sessions`, { body: { all: true } }),
      () => u.b.api(withId(resetRoute, target.id), `/api/admin/users/${target.id}/password-reset`, { method: "POST" }),
      () => u.b.api(auditRoute, "/api/admin/audit"),
    ];
    for (const call of calls) {
      const res = await call();
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ error: { code: "forbidden", message: expect.any(String) } });
    }
    const stranger = new Browser();
    expect((await stranger.api(searchRoute, "/api/admin/users")).status).toBe(401);
    // Nothing happened to the target.
    expect((await target.b.throughProxy("/api/sessions")).status).toBe(200);
  });

  it("a user cannot give themselves a role: update-user ignores it, the admin plugin's endpoints are 404 (impersonation: 403)", async () => {
    const u = await account();
    await u.b.auth("/update-user", { name: "Me", role: "admin" });
    for (const path of ["/admin/set-role", "/admin/ban-user", "/admin/list-users"]) {
      expect((await u.b.auth(path, { userId: u.id, role: "admin" })).status, path).toBe(404);
    }
    // Impersonation is enabled behind the app's rules (test/integration/impersonation.test.ts).
    expect((await u.b.auth("/admin/impersonate-user", { userId: u.id })).status).toBe(403);
    const [row] = await getDb().select({ role: userTable.role }).from(userTable).where(eq(userTable.id, u.id));
    expect(row?.role).toBe("user");
    expect((await u.b.api(searchRoute, "/api/admin/users")).status).toBe(403);
  });

  it("promoted by setRoleByEmail (npm run users:role), the admin can search, and the change is audited", async () => {
    const a = await account("promoted");
    expect((await a.b.api(searchRoute, "/api/admin/users")).status).toBe(403);
    expect(await setRoleByEmail(a.email, "admin")).toMatchObject({ id: a.id, previous: "user" });
    expect((await a.b.api(searchRoute, "/api/admin/users")).status).toBe(200);
    expect(await setRoleByEmail("nobody@example.test", "admin")).toBeNull();
  });
});

describe("the console: search, a user's page, ending sessions", () => {
  it("finds users by email or name, paginated; LIKE characters are literal", async () => {
    const a = await admin();
    const t = await account("findme");
    const res = await a.b.api(searchRoute, `/api/admin/users?q=${encodeURIComponent(t.email.toUpperCase())}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { users: { id: string; email: string; role: string; banned: boolean }[]; hasMore: boolean };
    expect(body.users).toEqual([expect.objectContaining({ id: t.id, email: t.email, role: "user", banned: false })]);
    const wild = (await (await a.b.api(searchRoute, "/api/admin/users?q=%25")).json()) as { users: unknown[] };
    expect(wild.users).toEqual([]);
    const first = (await (await a.b.api(searchRoute, "/api/admin/users?page=1")).json()) as { users: unknown[]; hasMore: boolean };
    expect(first.users.length).toBeGreaterThan(0);
    expect((await a.b.api(searchRoute, "/api/admin/users?page=0")).status).toBe(400);
    expect((await a.b.api(searchRoute, "/api/admin/users?bogus=1")).status).toBe(400);
  });

  it("a user's page: their devices (as their own panel shows them), activity and sign-in methods; 404 for nobody", async () => {
    const a = await admin();
    const t = await account("detail");
    await signIn(new Browser(UA.iphoneSafari), t.email);
    const res = await a.b.api(withId(userRoute, t.id), `/api/admin/users/${t.id}`);
    expect(res.status).toBe(200);
    const d = (await res.json()) as {
      sessions: { id: string; label: string; signInMethod: string | null; isCurrent: boolean }[];
      activity: { type: string }[];
      signInMethods: string[];
      twoFactorEnabled: boolean | null;
    };
    expect(d.sessions).toHaveLength(2);
    expect(d.sessions.map((s) => s.label).sort()).toEqual(["Chrome 131 on macOS", "Safari on iPhone"]);
    expect(d.sessions.every((s) => !s.isCurrent)).toBe(true);
    expect(d.activity.map((e) => e.type)).toContain("sign-in");
    expect(d.signInMethods).toEqual(["password"]);
    expect((await a.b.api(withId(userRoute, "nope"), "/api/admin/users/nope")).status).toBe(404);
    expect((await a.b.api(withId(userRoute, "bad id!"), "/api/admin/users/bad%20id!")).status).toBe(404);
  });

  it("ends one session, then all, at once in both stores; the user's activity says support did it", async () => {
    const a = await admin();
    const t = await account("endme");
    const phone = new Browser(UA.iphoneSafari);
    await signIn(phone, t.email);
    const phoneId = await sessionIdOf(phone);
    let res = await a.b.api(withId(sessionsRoute, t.id), `/api/admin/users/${t.id}/sessions`, { body: { sessionId: phoneId } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ended: 1 });
    expect((await phone.throughProxy("/api/sessions")).status).toBe(401);
    expect((await t.b.throughProxy("/api/sessions")).status).toBe(200);
    res = await a.b.api(withId(sessionsRoute, t.id), `/api/admin/users/${t.id}/sessions`, { body: { sessionId: phoneId } });
    expect(res.status).toBe(404);
    res = await a.b.api(withId(sessionsRoute, t.id), `/api/admin/users/${t.id}/sessions`, { body: { all: true } });
    expect(await res.json()).toEqual({ ended: 1 });
    expect((await t.b.throughProxy("/api/sessions")).status).toBe(401);
    await flushRepairs();
    await flushBackground();
    expect(await bothStores(t.id)).toEqual({ postgres: [], redis: [] });
    const { events } = await listActivity(t.id, null, { cursor: null, limit: 20 });
    expect(events.map((e) => `${e.type}:${e.reason}`)).toEqual(expect.arrayContaining(["session-ended:admin", "sessions-ended:admin"]));
    expect((await a.b.api(withId(sessionsRoute, t.id), `/api/admin/users/${t.id}/sessions`, { body: { all: false } })).status).toBe(400);
    // Cross-site: refused before anything happens.
    const cross = await a.b.api(withId(sessionsRoute, t.id), `/api/admin/users/${t.id}/sessions`, { body: { all: true }, headers: { origin: "https://evil.example" } });
    expect(cross.status).toBe(403);
  });

  it("require a password reset: the old password stops working, sessions end, a reset link is emailed", async () => {
    const a = await admin();
    const t = await account("resetme");
    const started = Date.now();
    const res = await a.b.api(withId(resetRoute, t.id), `/api/admin/users/${t.id}/password-reset`, { method: "POST" });
    expect(res.status).toBe(200);
    expect((await t.b.throughProxy("/api/sessions")).status).toBe(401);
    await flushBackground();
    await flushMail();
    await waitForEmail(t.email, "password-reset", started);
    expect((await new Browser().auth("/sign-in/email", { email: t.email, password: PASSWORD })).status).toBe(401);
  });
});

describe("ban: every session ends at once, every way in refuses, unban restores sign-in only", () => {
  it("bans with a reason and an expiry; sessions end in both stores; sign-in is refused with the reason", async () => {
    const a = await admin();
    const t = await account("banme");
    const phone = new Browser(UA.iphoneSafari);
    await signIn(phone, t.email);
    const res = await a.b.api(withId(banRoute, t.id), `/api/admin/users/${t.id}/ban`, { body: { reason: "Chargeback fraud", expiresIn: 3600 } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ended: 2 });
    // The very next request of either device is refused (the index, no database read needed).
    expect((await t.b.throughProxy("/api/sessions")).status).toBe(401);
    expect((await phone.throughProxy("/settings/security")).status).toBe(303);
    await flushRepairs();
    expect(await bothStores(t.id)).toEqual({ postgres: [], redis: [] });

    const refused = await new Browser().auth("/sign-in/email", { email: t.email, password: PASSWORD });
    expect(refused.status).toBe(403);
    const body = (await refused.json()) as { code: string; message: string };
    expect(body.code).toBe("BANNED_USER");
    expect(body.message).toContain("Chargeback fraud");
    expect(body.message).toMatch(/until/);
    expect(refused.headers.getSetCookie().some((c) => c.includes("session_token=") && !/max-age=0/i.test(c))).toBe(false);
    // Wrong password: still the ordinary answer (a ban is not an account oracle for strangers).
    expect((await new Browser().auth("/sign-in/email", { email: t.email, password: "wrong password 1" })).status).toBe(401);

    await flushBackground();
    const { events } = await listActivity(t.id, null, { cursor: null, limit: 20 });
    expect(events.map((e) => `${e.type}:${e.reason}`)).toEqual(expect.arrayContaining(["admin-action:user.ban", "sessions-ended:banned"]));

    expect((await a.b.api(withId(unbanRoute, t.id), `/api/admin/users/${t.id}/unban`, { method: "POST" })).status).toBe(200);
    // Unban restores sign-in, not the sessions the ban ended.
    expect((await t.b.throughProxy("/api/sessions")).status).toBe(401);
    await signIn(new Browser(), t.email);
    expect((await audited(t.id)).map((r) => r.action)).toEqual(["user.ban", "user.unban"]);
  });

  it("an expired ban lets the user sign in again", async () => {
    const a = await admin();
    const t = await account("expired-ban");
    await a.b.api(withId(banRoute, t.id), `/api/admin/users/${t.id}/ban`, { body: { expiresIn: 60 } });
    await getDb().update(userTable).set({ banExpires: new Date(Date.now() - 1000) }).where(eq(userTable.id, t.id));
    await signIn(new Browser(), t.email);
  });

  it("refuses hostile input and a ban of oneself", async () => {
    const a = await admin();
    const t = await account("hostile");
    for (const body of [{ reason: 5 }, { expiresIn: -1 }, { reason: "x".repeat(501) }, { extra: true }]) {
      const res = await a.b.api(withId(banRoute, t.id), `/api/admin/users/${t.id}/ban`, { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json()).toEqual({ error: { code: "invalid_body", message: expect.any(String) } });
    }
    expect((await a.b.api(withId(banRoute, t.id), `/api/admin/users/${t.id}/ban`, { body: "{" })).status).toBe(400);
    expect((await a.b.api(withId(banRoute, a.id), `/api/admin/users/${a.id}/ban`, { body: {} })).status).toBe(400);
    expect((await t.b.throughProxy("/api/sessions")).status).toBe(200);
  });

  it("a banned admin loses the console at once", async () => {
    const a = await admin();
    const other = await admin();
    await other.b.api(withId(banRoute, a.id), `/api/admin/users/${a.id}/ban`, { body: {} });
    expect((await a.b.api(searchRoute, "/api/admin/users")).status).toBe(401);
  });
});

describe("the audit log: append-only, exportable", () => {
  it("Postgres refuses UPDATE, DELETE and TRUNCATE of admin_audit", async () => {
    const a = await admin();
    const t = await account("audit");
    await a.b.api(withId(unbanRoute, t.id), `/api/admin/users/${t.id}/unban`, { method: "POST" });
    const [row] = await audited(t.id);
    expect(row).toMatchObject({ actorId: a.id, actorEmail: a.email, action: "user.unban", targetEmail: t.email, ipAddress: a.b.ip });
    await expect(getDb().update(adminAudit).set({ action: "nothing" }).where(eq(adminAudit.id, row!.id))).rejects.toThrow();
    await expect(getDb().delete(adminAudit).where(eq(adminAudit.id, row!.id))).rejects.toThrow();
    await expect(getDb().execute(sql`truncate admin_audit`)).rejects.toThrow();
    expect(await audited(t.id)).toHaveLength(1);
  });

  it("exports as CSV (formulas defused) and JSON; the export itself is audited", async () => {
    const a = await admin();
    const t = await account("export");
    await a.b.api(withId(banRoute, t.id), `/api/admin/users/${t.id}/ban`, { body: { reason: "=HYPERLINK(\"x\")" } });
    const csv = await a.b.api(auditRoute, "/api/admin/audit?format=csv");
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect(csv.headers.get("content-disposition")).toMatch(/^attachment; filename="admin-audit-.*\.csv"$/);
    const text = await csv.text();
    expect(text.split("\r\n")[0]).toBe("id,at,actorEmail,actorId,action,targetEmail,targetUserId,ipAddress,userAgent,detail");
    const line = text.split("\r\n").find((l) => l.includes(t.email))!;
    expect(line).toContain("user.ban");
    expect(line).not.toMatch(/,=HYPERLINK/);
    const json = (await (await a.b.api(auditRoute, "/api/admin/audit?format=json")).json()) as { entries: { action: string; targetUserId: string | null }[] };
    expect(json.entries.some((e) => e.action === "user.ban" && e.targetUserId === t.id)).toBe(true);
    expect(json.entries.some((e) => e.action === "audit.export")).toBe(true);
    expect((await a.b.api(auditRoute, "/api/admin/audit?format=xml")).status).toBe(400);
    expect((await a.b.api(auditRoute, "/api/admin/audit?before=abc")).status).toBe(400);
  });
});
