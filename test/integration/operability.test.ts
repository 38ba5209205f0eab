// Operability: /api/health and /api/ready as public exact paths, /api/metrics behind a
// bearer token, and every metric moving when its action happens through the real
// handlers (better-auth's, the proxy gate, our routes, the operator tools).
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GET as healthRoute } from "@/app/api/health/route";
import { GET as metricsRoute } from "@/app/api/metrics/route";
import { GET as readyRoute } from "@/app/api/ready/route";
import { POST as authRoute } from "@/app/api/auth/[...all]/route";
import { POST as revokeRoute } from "@/app/api/sessions/revoke/route";
import { resetEnvForTests } from "@/lib/env";
import { setRateLimits } from "../support/rate-limits";
import { isPublicPath } from "@/lib/proxy-gate";
import { createRedisClient } from "@/lib/redis/client";
import { tagOfToken } from "@/lib/session-index";
import { endAllSessionsOf } from "@/lib/sessions/admin";
import { flushRepairs } from "@/lib/sessions/repairs";
import { Browser, fromAddress, ORIGIN, PASSWORD, signIn, signUpVerified, UA, uniqueEmail, waitForEmail } from "../support/browser";
import { releaseOwnRedisIndex, useOwnRedisIndex, type OwnIndex } from "../support/own-index";
import { checkAndRepair, sessionIdOf, tokenOf } from "../support/sessions";

/** Drops every index key of the token's tag (as a data loss would): the tag is incomplete. */
async function loseTag(token: string): Promise<void> {
  const raw = createRedisClient();
  try {
    const keys = await raw.keys(`rv:{${tagOfToken(token)}}:*`);
    if (keys.length) await raw.del(...keys);
  } finally {
    raw.disconnect();
  }
}

const TOKEN = "metrics-token-for-tests-0123456789";

/** GET /api/ready as a load balancer (no header) or an operator with the metrics token asks it. */
function readyRequest(authorization?: string) {
  return readyRoute(new Request(`${ORIGIN}/api/ready`, { headers: authorization ? { authorization } : {} }));
}

function metricsRequest(authorization?: string) {
  return metricsRoute(new Request(`${ORIGIN}/api/metrics`, { headers: authorization ? { authorization } : {} }));
}

/** One scrape, parsed: `name{labels}` -> value, checking every line's shape on the way. */
async function scrape(): Promise<Map<string, number>> {
  const res = await metricsRequest(`Bearer ${TOKEN}`);
  expect(res.status).toBe(200);
  const samples = new Map<string, number>();
  for (const line of (await res.text()).trimEnd().split("\n")) {
    if (line.startsWith("#")) {
      expect(line).toMatch(/^# (HELP [a-z_:][a-z0-9_:]* \S.*|TYPE [a-z_:][a-z0-9_:]* (counter|gauge))$/);
      continue;
    }
    const m = /^([a-z_:][a-z0-9_:]*)(\{(?:[a-z_]+="(?:[^"\\]|\\.)*",?)*\})? (-?\d+(?:\.\d+)?)$/.exec(line);
    expect(m, line).not.toBeNull();
    samples.set(m![1]! + (m![2] ?? ""), Number(m![3]));
  }
  return samples;
}

/** How much each named sample moved while `action` ran. */
async function moved(names: string[], action: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = await scrape();
  await action();
  await flushRepairs();
  const after = await scrape();
  return Object.fromEntries(names.map((n) => [n, (after.get(n) ?? 0) - (before.get(n) ?? 0)]));
}

const ended = (reason: string) => `revocable_sessions_ended_total{reason="${reason}"}`;

beforeAll(() => {
  process.env.METRICS_TOKEN = TOKEN;
  resetEnvForTests();
});
afterAll(() => {
  delete process.env.METRICS_TOKEN;
  resetEnvForTests();
});

describe("the gate and the operations endpoints", () => {
  it("lets exactly /api/health, /api/ready and /api/metrics through, nothing under or beside them", async () => {
    for (const p of ["/api/health", "/api/ready", "/api/metrics"]) expect(isPublicPath(p)).toBe(true);
    for (const p of ["/api/healthz", "/api/health/x", "/api/ready/x", "/api/readyz", "/api/metrics/x", "/api/metricsx"]) {
      expect(isPublicPath(p)).toBe(false);
      expect((await new Browser().throughProxy(p)).status).toBe(401);
    }
    const health = await new Browser().api(healthRoute, "/api/health");
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
  });

  it("/api/ready: 200 ok with Postgres and Redis reachable, an empty backlog and a closed breaker", async () => {
    const res = await new Browser().api(readyRoute, "/api/ready", { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: "ok",
      postgres: { status: "ok", latencyMs: expect.any(Number) },
      redis: { status: "ok" },
      index: { breaker: "closed", backlog: 0, confirmingHits: false },
    });
  });
});

describe("/api/ready while Redis is down", () => {
  let ownIndex: OwnIndex | undefined;
  afterEach(async () => {
    await releaseOwnRedisIndex(ownIndex);
    ownIndex = undefined;
  });

  it("says degraded (200), answering from Postgres, with the breaker open; and the opens counter moves", async () => {
    ownIndex = await useOwnRedisIndex(60_000);
    const { own } = ownIndex;
    const a = new Browser();
    await signUpVerified(a);
    await flushRepairs();
    await own.stop();
    const delta = await moved(
      ["revocable_index_breaker_opens_total", 'revocable_postgres_fallbacks_total{cause="unreachable",operation="check"}'],
      async () => {
        expect((await a.throughProxy("/api/sessions")).status).toBe(200);
        expect((await a.throughProxy("/api/sessions")).status).toBe(200);
      },
    );
    expect(delta).toEqual({
      revocable_index_breaker_opens_total: 1,
      'revocable_postgres_fallbacks_total{cause="unreachable",operation="check"}': 2,
    });
    const res = await readyRequest(`Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "degraded", message: expect.stringMatching(/answering from Postgres/), index: { breaker: "open" } });
    expect((await scrape()).get("revocable_index_breaker_open")).toBe(1);
    // Anyone else learns only that the instance is ready: not the breaker, not the backlog,
    // not that Redis is away (an attacker could time an attack by it).
    for (const auth of [undefined, `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, "Bearer "]) {
      const anon = await readyRequest(auth);
      expect(anon.status).toBe(200);
      expect(anon.headers.get("cache-control")).toBe("no-store");
      expect(await anon.json()).toEqual({ status: "ready" });
    }
  });
});

describe("/api/ready's details", () => {
  it("are for the metrics token only: the public answer is the status alone, and with no token configured nobody gets more", async () => {
    expect(await (await readyRequest()).json()).toEqual({ status: "ready" });
    const detailed = await (await readyRequest(`Bearer ${TOKEN}`)).json();
    expect(Object.keys(detailed).sort()).toEqual(["index", "message", "postgres", "redis", "status"]);
    delete process.env.METRICS_TOKEN;
    resetEnvForTests();
    try {
      for (const auth of [undefined, `Bearer ${TOKEN}`, "Bearer "]) {
        const res = await readyRequest(auth);
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({ status: "ready" });
      }
    } finally {
      process.env.METRICS_TOKEN = TOKEN;
      resetEnvForTests();
    }
  });
});

describe("/api/metrics", () => {
  it("does not exist without METRICS_TOKEN (404), refuses a wrong or missing token (401), serves text 0.0.4 to the right one", async () => {
    delete process.env.METRICS_TOKEN;
    resetEnvForTests();
    const absent = await metricsRequest(`Bearer ${TOKEN}`);
    expect(absent.status).toBe(404);
    expect(await absent.json()).toEqual({ error: { code: "not_found", message: expect.any(String) } });
    process.env.METRICS_TOKEN = TOKEN;
    resetEnvForTests();

    for (const auth of [undefined, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, TOKEN, `Basic ${TOKEN}`, "Bearer "]) {
      const res = await metricsRequest(auth);
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe("unauthenticated");
    }
    const ok = await metricsRequest(`Bearer ${TOKEN}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await ok.text();
    for (const name of [
      "revocable_index_hits_total",
      "revocable_index_misses_total",
      "revocable_postgres_fallbacks_total",
      "revocable_index_breaker_open",
      "revocable_index_breaker_opens_total",
      "revocable_sessions_ended_total",
      "revocable_sign_ins_total",
      "revocable_rate_limit_refusals_total",
      "revocable_index_backlog",
      "revocable_event_streams_open",
    ]) {
      expect(text).toContain(`# HELP ${name} `);
      expect(text).toMatch(new RegExp(`^# TYPE ${name} (counter|gauge)$`, "m"));
    }
    const samples = await scrape();
    expect(samples.get("revocable_event_streams_open")).toBe(0); // no event streams exist yet
    expect(samples.get("revocable_index_backlog")).toBe(0);
    expect(samples.get("revocable_index_breaker_open")).toBe(0);
  });
});

describe("counters move with their actions", () => {
  it("index hits, misses and Postgres fallbacks on the proxy's check", async () => {
    const a = new Browser();
    await signUpVerified(a);
    await flushRepairs();
    const hit = await moved(["revocable_index_hits_total", "revocable_index_misses_total"], () => a.throughProxy("/api/sessions"));
    expect(hit).toEqual({ revocable_index_hits_total: 1, revocable_index_misses_total: 0 });

    const cookie = a.cookies.get("rv.session_token")!;
    const revoked = new Browser();
    revoked.cookies.set("rv.session_token", cookie);
    await a.auth("/sign-out", {});
    const fallback = 'revocable_postgres_fallbacks_total{cause="miss",operation="check"}';
    // The index remembers the ended session: answered by the index, no Postgres.
    const ended = await moved(["revocable_index_hits_total", "revocable_index_misses_total", fallback], () =>
      revoked.throughProxy("/api/sessions"),
    );
    expect(ended).toEqual({ revocable_index_hits_total: 1, revocable_index_misses_total: 0, [fallback]: 0 });
    // After the tag's keys are lost, a miss is answered from Postgres (the replay above
    // cleared the cookie: present it again).
    revoked.cookies.set("rv.session_token", cookie);
    await loseTag(tokenOf(revoked));
    const miss = await moved(["revocable_index_hits_total", "revocable_index_misses_total", fallback], () =>
      revoked.throughProxy("/api/sessions"),
    );
    expect(miss).toEqual({ revocable_index_hits_total: 0, revocable_index_misses_total: 1, [fallback]: 1 });
  });

  it("sign-ins, and sessions ended by sign-out, revoke, revoke-all, limit and operator", async () => {
    const a = new Browser(UA.macChrome);
    const email = uniqueEmail("metrics");
    const signUp = await moved(["revocable_sign_ins_total"], () => signUpVerified(a, email));
    expect(signUp).toEqual({ revocable_sign_ins_total: 1 }); // the sign-in that follows verification
    const b = new Browser(UA.iphoneSafari);
    const c = new Browser(UA.windowsFirefox);
    expect(await moved(["revocable_sign_ins_total"], async () => (await signIn(b, email), signIn(c, email)))).toEqual({ revocable_sign_ins_total: 2 });

    const d = new Browser(UA.androidChrome);
    expect(await moved([ended("limit"), "revocable_sign_ins_total"], () => signIn(d, email))).toEqual({ [ended("limit")]: 1, revocable_sign_ins_total: 1 });

    const bId = await sessionIdOf(b);
    expect(
      await moved([ended("revoke")], async () => expect((await d.route(revokeRoute, "/api/sessions/revoke", { body: { sessionId: bId } })).status).toBe(200)),
    ).toEqual({ [ended("revoke")]: 1 });
    expect(
      await moved([ended("revoke-all")], async () =>
        expect((await d.route(revokeRoute, "/api/sessions/revoke", { body: { all: true, password: PASSWORD } })).status).toBe(200),
      ),
    ).toEqual({ [ended("revoke-all")]: 1 }); // C
    expect(await moved([ended("sign-out")], async () => expect((await d.auth("/sign-out", {})).status).toBe(200))).toEqual({ [ended("sign-out")]: 1 });

    await signIn(new Browser(), email);
    await signIn(new Browser(), email);
    expect(await moved([ended("operator")], () => endAllSessionsOf(email))).toEqual({ [ended("operator")]: 2 });
  });

  it("sessions ended by password change, password reset and user deletion (better-auth's paths)", async () => {
    const a = new Browser(UA.macChrome);
    const { email } = await signUpVerified(a);
    await signIn(new Browser(UA.iphoneSafari), email);
    const change = await moved([ended("password-change"), "revocable_sign_ins_total"], async () =>
      expect((await a.auth("/change-password", { currentPassword: PASSWORD, newPassword: "a brand new password 42", revokeOtherSessions: true })).status).toBe(200),
    );
    // Both sessions end; A gets a new one, which is not counted as a sign-in.
    expect(change).toEqual({ [ended("password-change")]: 2, revocable_sign_ins_total: 0 });

    await signIn(new Browser(UA.windowsFirefox), email, "a brand new password 42");
    const reset = await moved([ended("password-reset")], async () => {
      const started = Date.now();
      expect((await new Browser().auth("/request-password-reset", { email, redirectTo: "/reset-password" })).status).toBe(200);
      const token = new URL((await waitForEmail(email, "password-reset", started)).link).pathname.split("/").pop()!;
      expect((await new Browser().auth("/reset-password", { token, newPassword: "reset password 12345" })).status).toBe(200);
    });
    expect(reset).toEqual({ [ended("password-reset")]: 2 });

    const z = new Browser();
    await signIn(z, email, "reset password 12345");
    await signIn(new Browser(), email, "reset password 12345");
    const deleted = await moved([ended("user-deleted")], async () =>
      expect((await z.auth("/delete-user", { password: "reset password 12345" })).status).toBe(200),
    );
    expect(deleted).toEqual({ [ended("user-deleted")]: 2 });
  });

  it("sessions ended for inactivity (idle) and past their lifetime (expired)", async () => {
    const a = new Browser();
    const { email } = await signUpVerified(a);
    const b = new Browser(UA.iphoneSafari);
    await signIn(b, email);
    await flushRepairs();
    const eightDays = Date.now() + 8 * 24 * 3600 * 1000;
    expect(await moved([ended("idle")], async () => expect(await checkAndRepair(tokenOf(a), eightDays)).toMatchObject({ ok: false, reason: "idle" }))).toEqual({
      [ended("idle")]: 1,
    });
    // Past the absolute lifetime, with the tag's keys lost, Postgres decides on the miss
    // and ends the row.
    await loseTag(tokenOf(b));
    const later = Date.now() + 31 * 24 * 3600 * 1000;
    expect(await moved([ended("expired")], async () => expect(await checkAndRepair(tokenOf(b), later)).toMatchObject({ ok: false, reason: "expired" }))).toEqual({
      [ended("expired")]: 1,
    });
  });

  it("rate-limit refusals, per IP and per account", async () => {
    setRateLimits("on");
    try {
      const post = (body: unknown, ip: string) =>
        authRoute(
          new Request(`${ORIGIN}/api/auth/sign-in/email`, {
            method: "POST",
            headers: { "content-type": "application/json", origin: ORIGIN, ...fromAddress(ip), "user-agent": "metrics-test" },
            body: JSON.stringify(body),
          }),
        );
      const ip = `198.51.100.${200 + Math.floor(Math.random() * 50)}`;
      const perIp = await moved(['revocable_rate_limit_refusals_total{scope="ip"}'], async () => {
        for (let i = 0; i < 11; i++) await post({ email: uniqueEmail("rl"), password: "wrong password 123" }, ip);
      });
      expect(perIp).toEqual({ 'revocable_rate_limit_refusals_total{scope="ip"}': 1 });
      const email = uniqueEmail("acct");
      const perAccount = await moved(['revocable_rate_limit_refusals_total{scope="account"}'], async () => {
        for (let i = 0; i < 11; i++) await post({ email, password: "guess number " + i }, `192.0.2.${i + 1}`);
      });
      expect(perAccount).toEqual({ 'revocable_rate_limit_refusals_total{scope="account"}': 1 });
    } finally {
      setRateLimits("off");
    }
  });
});
