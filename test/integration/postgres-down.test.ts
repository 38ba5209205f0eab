// Postgres (the truth) unreachable while Redis is up: every answer that needs Postgres
// is a 503 `unavailable` with Retry-After (or the readable 503 page), never a 500, and
// sign-out never claims success for a session it could not end.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as authRoute } from "@/app/api/auth/[...all]/route";
import { GET as readyRoute } from "@/app/api/ready/route";
import { POST as revokeRoute } from "@/app/api/sessions/revoke/route";
import { closeDb } from "@/db";
import { resetAuthForTests } from "@/lib/auth";
import { resetEnvForTests } from "@/lib/env";
import { postgresKnownDown } from "@/lib/health/postgres";
import { flushRepairs } from "@/lib/sessions/repairs";
import { Browser, PASSWORD, signIn, signUpVerified, UA } from "../support/browser";
import { bothStores, sessionIdOf, userIdOf } from "../support/sessions";

const saved = process.env.DATABASE_URL;

async function usePostgres(url: string | undefined) {
  await closeDb();
  process.env.DATABASE_URL = url;
  resetEnvForTests();
  resetAuthForTests();
}

async function expectUnavailable(res: Response) {
  expect(res.status).toBe(503);
  expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  expect(res.headers.getSetCookie()).toEqual([]);
  expect(await res.json()).toEqual({ error: { code: "unavailable", message: expect.stringMatching(/temporarily unavailable/) } });
}

let email: string;
let userId: string;
let a: Browser;
let b: Browser;
let ids: string[];
let bId: string;

beforeAll(async () => {
  a = new Browser(UA.macChrome);
  ({ email } = await signUpVerified(a));
  b = new Browser(UA.iphoneSafari);
  await signIn(b, email);
  await flushRepairs();
  userId = await userIdOf(email);
  bId = await sessionIdOf(b);
  ids = [await sessionIdOf(a), bId].sort();
  await usePostgres("postgres://postgres@127.0.0.1:1/nothing");
});

afterAll(async () => {
  await usePostgres(saved);
});

describe("Postgres unreachable", () => {
  it("sign-out answers 503 and clears no cookie: the session could not be ended", async () => {
    const cookie = a.cookies.get("rv.session_token");
    await expectUnavailable(await a.route(authRoute, "/api/auth/sign-out", { body: {} }));
    expect(a.cookies.get("rv.session_token")).toBe(cookie);
  });

  it("revoking a session answers 503 unavailable, not 500", async () => {
    await expectUnavailable(await a.api(revokeRoute, "/api/sessions/revoke", { body: { all: true, password: PASSWORD } }));
    await expectUnavailable(await a.api(revokeRoute, "/api/sessions/revoke", { body: { sessionId: bId } }));
  });

  it("sign-in answers 503 unavailable, not 500", async () => {
    await expectUnavailable(await new Browser().route(authRoute, "/api/auth/sign-in/email", { body: { email, password: PASSWORD } }));
  });

  it("a signed-in page answers the readable 503 page once Postgres is known down", async () => {
    expect(postgresKnownDown()).toBe(true); // learned from the failures above
    const page = await a.throughProxy("/settings/security");
    expect(page.status).toBe(503);
    expect(page.headers.get("retry-after")).toBe("5");
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    expect(await page.text()).toMatch(/right back/);
    // The API keeps answering from the index where it can.
    expect((await a.throughProxy("/api/sessions")).status).toBe(200);
  });

  it("/api/ready answers 503 with status unavailable: the details only with the metrics token", async () => {
    const res = await readyRoute(new Request("http://localhost:3000/api/ready"));
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(await res.json()).toEqual({ status: "unavailable" });
    process.env.METRICS_TOKEN = "metrics-token-for-tests-0123456789";
    resetEnvForTests();
    try {
      const detailed = await readyRoute(new Request("http://localhost:3000/api/ready", { headers: { authorization: `Bearer ${process.env.METRICS_TOKEN}` } }));
      expect(detailed.status).toBe(503);
      expect(await detailed.json()).toMatchObject({ status: "unavailable", postgres: { status: "unreachable" }, index: { backlog: null } });
    } finally {
      delete process.env.METRICS_TOKEN;
      resetEnvForTests();
    }
  });

  it("when Postgres returns, nothing was ended and the page is served again", async () => {
    await usePostgres(saved);
    expect(await bothStores(userId)).toEqual({ postgres: ids, redis: ids });
    expect((await a.throughProxy("/settings/security")).status).toBe(200);
    expect(postgresKnownDown()).toBe(false);
    expect((await readyRoute(new Request("http://localhost:3000/api/ready"))).status).toBe(200);
    // And sign-out works again, for real.
    const out = await a.route(authRoute, "/api/auth/sign-out", { body: {} });
    expect(out.status).toBe(200);
    expect(a.signedIn()).toBe(false);
    await flushRepairs();
    expect((await bothStores(userId)).postgres).toEqual([bId]);
  });
});
