// The proxy hands its verdict to the route handler of the same request (one check per
// request), and a verdict header the client sends is never trusted.
import { NextRequest } from "next/server";
import { afterEach, describe, expect, it } from "vitest";
import { GET as listRoute } from "@/app/api/sessions/route";
import { getSessionIndex, setSessionIndexForTests, type SessionIndex } from "@/lib/session-index";
import { gate } from "@/lib/proxy-gate";
import { signSessionToken } from "@/lib/sessions/cookie";
import { signVerdict, VERDICT_HEADER } from "@/lib/sessions/forwarded";
import { revokeSessions } from "@/lib/sessions/lifecycle";
import { Browser, ORIGIN, signUpVerified } from "../support/browser";
import { forwardedRequest } from "../support/next-forward";
import { sessionIdOf, userIdOf } from "../support/sessions";

/** Counts index look-ups of either kind (the per-request check does exactly one). */
function countLookups(): { lookups: () => number } {
  const inner = getSessionIndex();
  let n = 0;
  const counting: SessionIndex = Object.create(inner, {
    lookup: { value: (...a: Parameters<SessionIndex["lookup"]>) => (n++, inner.lookup(...a)) },
    check: { value: (...a: Parameters<SessionIndex["check"]>) => (n++, inner.check(...a)) },
  });
  setSessionIndexForTests(counting);
  return { lookups: () => n };
}

afterEach(() => setSessionIndexForTests(undefined));

async function signedIn() {
  const b = new Browser();
  const { email } = await signUpVerified(b);
  return { b, userId: await userIdOf(email), sessionId: await sessionIdOf(b) };
}

const listedIds = async (res: Response) => ((await res.json()) as { sessions: { id: string }[] }).sessions.map((s) => s.id).sort();

describe("one check per request", () => {
  it("a route handler behind the proxy uses the proxy's verdict: one index look-up for the whole request", async () => {
    const { b, sessionId } = await signedIn();
    const counter = countLookups();
    const res = await b.api(listRoute, "/api/sessions");
    expect(res.status).toBe(200);
    expect(await listedIds(res)).toEqual([sessionId]);
    expect(counter.lookups()).toBe(1);
  });

  it("a route handler reached without the proxy's verdict checks the session itself", async () => {
    const { b, sessionId } = await signedIn();
    const counter = countLookups();
    const res = await b.route(listRoute, "/api/sessions");
    expect(res.status).toBe(200);
    expect(await listedIds(res)).toEqual([sessionId]);
    expect(counter.lookups()).toBe(1);
  });
});

describe("a client-sent verdict header is never trusted", () => {
  it("the proxy overwrites it on protected paths and drops it on public ones", async () => {
    const victim = await signedIn();
    const attacker = await signedIn();
    // Even a genuinely signed verdict (as if captured) for the victim's session.
    const stolen = signVerdict({ sessionId: victim.sessionId, userId: victim.userId, expiresAt: Date.now() + 60_000, lastActiveAt: Date.now() }, "x");
    const res = await attacker.b.api(listRoute, "/api/sessions", { headers: { [VERDICT_HEADER]: stolen } });
    expect(res.status).toBe(200);
    expect(await listedIds(res)).toEqual([attacker.sessionId]);

    const gated = await gate(new NextRequest(`${ORIGIN}/api/sessions`, { headers: attacker.b.headers({ [VERDICT_HEADER]: stolen }) }));
    expect(gated.headers.get(`x-middleware-request-${VERDICT_HEADER}`)).not.toBe(stolen);

    const pub = await gate(new NextRequest(`${ORIGIN}/api/auth/get-session`, { headers: { [VERDICT_HEADER]: stolen } }));
    expect(pub.headers.get("x-middleware-next")).toBe("1");
    expect(pub.headers.get("x-middleware-override-headers")?.split(",")).not.toContain(VERDICT_HEADER);
    expect(forwardedRequest(new Request(`${ORIGIN}/api/auth/get-session`, { headers: { [VERDICT_HEADER]: stolen } }), pub).headers.has(VERDICT_HEADER)).toBe(false);
  });

  it("a forged header that reaches a handler directly is ignored: the handler checks the cookie itself", async () => {
    const victim = await signedIn();
    const attacker = await signedIn();
    const victimEntry = { sessionId: victim.sessionId, userId: victim.userId, expiresAt: Date.now() + 60_000, lastActiveAt: Date.now() };
    const victimCookie = victim.b.cookies.get("rv.session_token")!;
    const forged = [
      "garbage",
      `${Buffer.from(JSON.stringify({ s: victimEntry, c: "x", t: Date.now() })).toString("base64url")}.${"A".repeat(43)}`,
      signVerdict(victimEntry, decodeURIComponent(victimCookie)), // genuine, but for another cookie
      signVerdict(victimEntry, decodeURIComponent(victimCookie), Date.now() - 60_000), // stale
    ];
    for (const header of forged) {
      const anonymous = new Browser();
      const noCookie = await anonymous.route(listRoute, "/api/sessions", { headers: { [VERDICT_HEADER]: header } });
      expect(noCookie.status, header.slice(0, 30)).toBe(401);
      const withOwnCookie = await attacker.b.route(listRoute, "/api/sessions", { headers: { [VERDICT_HEADER]: header } });
      expect(withOwnCookie.status).toBe(200);
      expect(await listedIds(withOwnCookie)).toEqual([attacker.sessionId]);
    }
  });

  it("a stale verdict does not outlive a revocation: the handler re-checks and refuses", async () => {
    const { b, userId, sessionId } = await signedIn();
    const cookie = decodeURIComponent(b.cookies.get("rv.session_token")!);
    const old = signVerdict({ sessionId, userId, expiresAt: Date.now() + 60_000, lastActiveAt: Date.now() }, cookie, Date.now() - 11_000);
    await revokeSessions(userId, { sessionIds: [sessionId] });
    const res = await b.route(listRoute, "/api/sessions", { headers: { [VERDICT_HEADER]: old } });
    expect(res.status).toBe(401);
    // A forged cookie with a verdict claiming it is live gets nowhere either.
    const forgedCookie = new Browser();
    forgedCookie.cookies.set("rv.session_token", signSessionToken("x".repeat(40), "not-the-secret-not-the-secret-not-the-secret"));
    expect((await forgedCookie.route(listRoute, "/api/sessions", { headers: { [VERDICT_HEADER]: old } })).status).toBe(401);
  });
});
