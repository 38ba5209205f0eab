// "This wasn't me" from the new-sign-in email: the emailed link, followed from a browser
// that is not signed in. GET (the page) changes nothing; POST ends exactly that session,
// once; reuse, expiry, tampering and cross-site posts are refused.
import { eq, like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { POST as reportRoute } from "@/app/api/report-sign-in/route";
import { GET as sessionsRoute } from "@/app/api/sessions/route";
import ReportSignInPage from "@/app/report-sign-in/page";
import { getDb } from "@/db";
import { securityEvent, verification } from "@/db/schema";
import { flushBackground } from "@/lib/background";
import { flushMail } from "@/lib/mail";
import { metricValue } from "@/lib/metrics";
import { confirmReport, inspectReport, issueReportToken, readReportToken } from "@/lib/security/report-sign-in";
import { flushRepairs } from "@/lib/sessions/repairs";
import { Browser, ORIGIN, waitForEmail } from "../support/browser";
import { bothStores, sessionIdOf, userWithDevices } from "../support/sessions";

async function settle() {
  await flushRepairs();
  await flushBackground();
  await flushMail();
}

/** A owns the account; B signs in from a new device and triggers the alert with its link. */
async function alerted() {
  const { email, userId, browsers } = await userWithDevices(2);
  const [a, b] = browsers as [Browser, Browser];
  await settle();
  const mail = await waitForEmail(email, "new-sign-in");
  const url = new URL(mail.link);
  expect(url.origin + url.pathname).toBe(`${ORIGIN}/report-sign-in`);
  const token = url.searchParams.get("token")!;
  return { email, userId, a, b, token, bSession: await sessionIdOf(b), url };
}

const ended = () => metricValue("revocable_sessions_ended_total", { reason: "reported" });

async function post(token: unknown, from = new Browser(), headers?: Record<string, string>) {
  return from.api(reportRoute, "/api/report-sign-in", { body: { token }, headers });
}

/** The strings and string props of a rendered element tree (the page's words). */
function textOf(node: unknown): string {
  if (typeof node === "string" || typeof node === "number") return String(node);
  if (Array.isArray(node)) return node.map(textOf).join(" ");
  if (node && typeof node === "object" && "props" in node) {
    const props = (node as { props: Record<string, unknown> }).props;
    return Object.values(props).map(textOf).join(" ");
  }
  return "";
}

async function liveOnB(b: Browser) {
  return (await b.api(sessionsRoute, "/api/sessions")).status;
}

describe("the new-sign-in email's 'This wasn't me' link", () => {
  it("GET shows the sign-in and changes nothing (a mail scanner opening it twice)", async () => {
    const { b, token, userId, url } = await alerted();
    const before = await bothStores(userId);
    const records = await getDb().select().from(verification).where(like(verification.identifier, "report-sign-in:%"));
    // The page is public: the proxy lets a signed-out visitor through.
    const gated = await new Browser().throughProxy(`${url.pathname}${url.search}`);
    expect(gated.headers.get("x-middleware-next")).toBe("1");
    for (let i = 0; i < 2; i++) {
      const page = await ReportSignInPage({ searchParams: Promise.resolve({ token }) });
      expect(textOf(page)).toContain("Safari on iPhone");
    }
    expect(await inspectReport(token)).toMatchObject({ ok: true, kind: "session", session: { device: "Safari on iPhone", ipAddress: b.ip } });
    await settle();
    expect(await bothStores(userId)).toEqual(before);
    expect(await getDb().select().from(verification).where(like(verification.identifier, "report-sign-in:%"))).toEqual(records);
    expect(await liveOnB(b)).toBe(200);
  });

  it("POST ends exactly that session: its next request is refused, the metric and the event carry 'reported'", async () => {
    const { a, b, token, userId, bSession } = await alerted();
    const metric = ended();
    const res = await post(token);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ended: number; signOutEverywhereToken: string };
    expect(body.ended).toBe(1);
    expect(typeof body.signOutEverywhereToken).toBe("string");
    expect(ended()).toBe(metric + 1);
    await settle();
    expect(await liveOnB(b)).toBe(401);
    expect(b.signedIn()).toBe(false); // the proxy cleared its cookie
    expect(await liveOnB(a)).toBe(200);
    expect((await bothStores(userId)).postgres).not.toContain(bSession);
    const rows = await getDb().select().from(securityEvent).where(eq(securityEvent.userId, userId));
    expect(rows.filter((r) => r.type === "session-ended")).toMatchObject([
      { reason: "reported", sessionId: bSession, deviceLabel: "Safari on iPhone", ipAddress: b.ip },
    ]);
  });

  it("is single use: a second POST is refused (410 link_used) and changes nothing", async () => {
    const { token } = await alerted();
    expect((await post(token)).status).toBe(200);
    const metric = ended();
    const again = await post(token);
    expect(again.status).toBe(410);
    expect(await again.json()).toEqual({ error: { code: "link_used", message: expect.any(String) } });
    expect(ended()).toBe(metric);
    expect(await inspectReport(token)).toEqual({ ok: false, problem: "used" });
    // Two at once: exactly one wins.
    const { token: t2 } = await alerted();
    const statuses = (await Promise.all([post(t2), post(t2), post(t2)])).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 410, 410]);
  });

  it("refuses tampered, foreign and malformed tokens with 400 invalid_link, without touching the session", async () => {
    const { b, token } = await alerted();
    const [payload, sig] = token.split(".") as [string, string];
    const decoded = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...decoded, s: "someone-elses-session" })).toString("base64url");
    const flipped = sig.slice(0, -2) + (sig.endsWith("AA") ? "BB" : "AA");
    for (const bad of [`${forged}.${sig}`, `${payload}.${flipped}`, payload, `${payload}.`, "x".repeat(2000), "not a token", 42, null]) {
      const res = await post(bad);
      expect([400]).toContain(res.status);
      const code = ((await res.json()) as { error: { code: string } }).error.code;
      expect(["invalid_link", "invalid_body"]).toContain(code);
      if (typeof bad === "string" && bad.length < 1024) expect(code).toBe("invalid_link");
    }
    expect(await liveOnB(b)).toBe(200);
    // The real token still works afterwards.
    expect((await post(token)).status).toBe(200);
  });

  it("refuses an expired link (410 link_expired), also when it was never used", async () => {
    const { b, token, userId, bSession } = await alerted();
    expect(readReportToken(token, Date.now() + 8 * 24 * 3600 * 1000)).toEqual({ ok: false, problem: "expired" });
    expect(await confirmReport(token, Date.now() + 8 * 24 * 3600 * 1000)).toEqual({ ok: false, problem: "expired" });
    // A link issued 8 days ago (its 7 days are over).
    const old = await issueReportToken({ id: bSession, userId, expiresAt: new Date(Date.now() + 30 * 24 * 3600 * 1000) }, Date.now() - 8 * 24 * 3600 * 1000);
    const res = await post(old);
    expect(res.status).toBe(410);
    expect(await res.json()).toEqual({ error: { code: "link_expired", message: expect.any(String) } });
    expect(await liveOnB(b)).toBe(200);
  });

  it("a link never outlives its session's own expiry", async () => {
    const { userId, bSession } = await alerted();
    const soon = new Date(Date.now() + 60_000);
    const t = await issueReportToken({ id: bSession, userId, expiresAt: soon });
    const read = readReportToken(t);
    expect(read.ok && read.payload.e).toBe(soon.getTime());
  });

  it("refuses a cross-site POST (403) and leaves the session alone", async () => {
    const { b, token } = await alerted();
    const res = await post(token, new Browser(), { origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect(await liveOnB(b)).toBe(200);
    expect((await post(token)).status).toBe(200);
  });

  it("'Sign out everywhere' with the token the report answered: every session ends, once", async () => {
    const { a, token, userId } = await alerted();
    const body = (await (await post(token)).json()) as { signOutEverywhereToken: string };
    await settle();
    const res = await post(body.signOutEverywhereToken);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ended: 1 });
    await settle();
    expect(await liveOnB(a)).toBe(401);
    expect((await post(body.signOutEverywhereToken)).status).toBe(410);
    const rows = await getDb().select().from(securityEvent).where(eq(securityEvent.userId, userId));
    expect(rows.filter((r) => r.type === "sessions-ended")).toMatchObject([{ reason: "reported", count: 1 }]);
  });

  it("a session that had already ended: the report is recorded, nothing else ends", async () => {
    const { a, b, token, userId } = await alerted();
    expect((await b.auth("/sign-out", {})).status).toBe(200);
    await settle();
    const res = await post(token);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { ended: number }).ended).toBe(0);
    await settle();
    expect(await liveOnB(a)).toBe(200);
    const rows = await getDb().select().from(securityEvent).where(eq(securityEvent.userId, userId));
    expect(rows.filter((r) => r.type === "sign-in-reported")).toHaveLength(1);
  });
});
