// Live sign-out: GET /api/sessions/events through the real proxy gate and handlers, with
// the real bus on real Redis (pub/sub) and real Postgres. Every end path publishes
// session.ended to the ended session's streams within a second; streams never carry
// another user's events; the heartbeat re-check catches an end nobody published.
import { Redis } from "ioredis";
import * as OTPAuth from "otpauth";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as eventsModule from "@/app/api/sessions/events/route";
import { GET as eventsRoute } from "@/app/api/sessions/events/route";
import { autoImplementMethods } from "next/dist/server/route-modules/app-route/helpers/auto-implement-methods";
import { POST as revokeRoute } from "@/app/api/sessions/revoke/route";
import { getLiveBus, MemoryLiveBus, RedisLiveBus, setLiveBusForTests } from "@/lib/live/bus";
import type { LiveEvent } from "@/lib/live/events";
import { metricValue } from "@/lib/metrics";
import { createRedisClient } from "@/lib/redis/client";
import { env, resetEnvForTests } from "@/lib/env";
import { getSessionIndex, hashToken, tagOfToken } from "@/lib/session-index";
import { revokeSessions } from "@/lib/sessions/lifecycle";
import { heartbeatAllStreams, MAX_STREAMS_PER_SESSION, openSessionStream, openStreamCount } from "@/lib/sessions/event-stream";
import { flushRepairs } from "@/lib/sessions/repairs";
import { Browser, PASSWORD, signIn, UA } from "../support/browser";
import { startHttpApp } from "../support/http-app";
import { sessionIdOf, tokenOf, userWithDevices } from "../support/sessions";
import { SseReader } from "../support/sse";

const readers: SseReader[] = [];

async function openStream(b: Browser): Promise<SseReader> {
  const res = await b.api(eventsRoute, "/api/sessions/events");
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const r = new SseReader(res);
  readers.push(r);
  return r;
}

afterEach(async () => {
  await Promise.all(readers.splice(0).map((r) => r.cancel()));
});


/** Asserts the stream's next events are session.ended (reason), then the end of the stream, within 1 s of `since`. */
async function expectEnded(r: SseReader, reason: string, since: number) {
  const { found } = await r.until("session.ended", 1_000);
  expect(found.data).toEqual({ reason });
  expect(found.at - since).toBeLessThan(1_000);
  expect((await r.next(1_000)).event).toBe("closed");
}

describe("GET /api/sessions/events refuses without a live session", () => {
  it("no cookie: 401 JSON, no stream", async () => {
    const res = await new Browser().api(eventsRoute, "/api/sessions/events");
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect(await res.json()).toEqual({ error: { code: "unauthenticated", message: expect.any(String) } });
  });

  it("a revoked session's cookie: 401 JSON, no stream", async () => {
    const { browsers } = await userWithDevices(2);
    const [a, b] = browsers as [Browser, Browser];
    await a.route(revokeRoute, "/api/sessions/revoke", { body: { sessionId: await sessionIdOf(b) } });
    const res = await b.api(eventsRoute, "/api/sessions/events");
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe("unauthenticated");
  });
});

describe("every end path reaches the ended session's stream within a second", () => {
  it("revoke one from another device: session.ended (revoke), then the stream closes; A hears sessions.changed", async () => {
    const { browsers } = await userWithDevices(2);
    const [a, b] = browsers as [Browser, Browser];
    const streamA = await openStream(a);
    const streamB = await openStream(b);
    await getLiveBus().settled();
    const res = await a.route(revokeRoute, "/api/sessions/revoke", { body: { sessionId: await sessionIdOf(b) } });
    const answered = performance.now();
    expect(res.status).toBe(200);
    await expectEnded(streamB, "revoke", answered);
    const { skipped } = await streamA.until("sessions.changed", 1_000);
    expect(skipped).toEqual([]);
  });

  it("revoke all others: every other device's stream ends (revoke-all), the current one stays open", async () => {
    const { browsers } = await userWithDevices(3);
    const [a, ...others] = browsers as [Browser, Browser, Browser];
    const streamA = await openStream(a);
    const otherStreams = await Promise.all(others.map(openStream));
    await getLiveBus().settled();
    const res = await a.route(revokeRoute, "/api/sessions/revoke", { body: { all: true, password: PASSWORD } });
    const answered = performance.now();
    expect(await res.json()).toEqual({ revoked: 2 });
    for (const s of otherStreams) await expectEnded(s, "revoke-all", answered);
    await streamA.until("sessions.changed", 1_000);
    expect(streamA.closed).toBe(false);
  });

  it("sign-out: the signed-out session's stream ends (sign-out)", async () => {
    const { browsers } = await userWithDevices(1);
    const [a] = browsers as [Browser];
    const stream = await openStream(a);
    await getLiveBus().settled();
    const out = await a.auth("/sign-out", {});
    const answered = performance.now();
    expect(out.status).toBe(200);
    await expectEnded(stream, "sign-out", answered);
  });

  it("password change: the other devices' streams end (password-change); the changer's says reissued", async () => {
    const { browsers } = await userWithDevices(2);
    const [a, b] = browsers as [Browser, Browser];
    const streamA = await openStream(a);
    const streamB = await openStream(b);
    await getLiveBus().settled();
    const change = await a.auth("/change-password", { currentPassword: PASSWORD, newPassword: "another horse battery 2", revokeOtherSessions: true });
    const answered = performance.now();
    expect(change.status).toBe(200);
    await expectEnded(streamB, "password-change", answered);
    // A's browser continues under a new session (new cookie): told so, not signed out.
    const { found } = await streamA.until("session.ended", 1_000);
    expect(found.data).toEqual({ reason: "password-change", reissued: true });
  });

  it("turning two-factor on and off: the confirming tab's stream says reissued (it continues under the new session)", async () => {
    const { browsers } = await userWithDevices(1);
    const [a] = browsers as [Browser];
    const stream = await openStream(a);
    await getLiveBus().settled();
    const enable = await a.auth("/two-factor/enable", { password: PASSWORD });
    expect(enable.status).toBe(200);
    const totp = OTPAuth.URI.parse(((await enable.json()) as { totpURI: string }).totpURI) as OTPAuth.TOTP;
    expect((await a.auth("/two-factor/verify-totp", { code: totp.generate() })).status).toBe(200);
    const { found } = await stream.until("session.ended", 1_000);
    expect(found.data).toEqual({ reason: "other", reissued: true });

    const again = await openStream(a);
    await getLiveBus().settled();
    expect((await a.auth("/two-factor/disable", { password: PASSWORD })).status).toBe(200);
    const off = await again.until("session.ended", 1_000);
    expect(off.found.data).toMatchObject({ reissued: true });
  });

  it("the concurrent-session limit: the evicted oldest session's stream ends (limit)", async () => {
    const { email, browsers } = await userWithDevices(3); // SESSION_MAX_CONCURRENT=3 in tests
    const oldest = await openStream(browsers[0]!);
    await getLiveBus().settled();
    await signIn(new Browser(UA.androidChrome), email);
    const answered = performance.now();
    await expectEnded(oldest, "limit", answered);
  });
});

describe("a stream carries only its own user's events", () => {
  it("another user's revocations never reach it; its own next event does", async () => {
    const x = await userWithDevices(1);
    const y = await userWithDevices(2);
    const streamX = await openStream(x.browsers[0]!);
    const streamY = await openStream(y.browsers[1]!);
    await getLiveBus().settled();
    // Y's revocation is published before X's sign-in on the same connection, so if any
    // of Y's events leaked to X it would be queued ahead of X's own sessions.changed.
    await y.browsers[0]!.route(revokeRoute, "/api/sessions/revoke", { body: { sessionId: await sessionIdOf(y.browsers[1]!) } });
    await streamY.until("session.ended", 1_000);
    await signIn(new Browser(UA.windowsFirefox), x.email);
    const first = await streamX.next(1_000);
    expect(first.event).toBe("sessions.changed");
    expect(streamX.closed).toBe(false);
  });
});

describe("the heartbeat re-checks the session", () => {
  it("a session ended with no publish (row and index entry deleted directly) is ended at the next heartbeat", async () => {
    const { userId, browsers } = await userWithDevices(2);
    const [a, b] = browsers as [Browser, Browser];
    const streamA = await openStream(a);
    const streamB = await openStream(b);
    // lifecycle.revokeSessions() alone publishes nothing: as if the message was lost.
    await revokeSessions(userId, { sessionIds: [await sessionIdOf(b)] });
    await heartbeatAllStreams();
    await flushRepairs();
    expect(await streamB.next(1_000)).toMatchObject({ event: "session.ended", data: { reason: "other" } });
    expect((await streamB.next(1_000)).event).toBe("closed");
    expect(streamB.comments).toBeGreaterThanOrEqual(2); // the opening comment and the heartbeat
    expect(streamA.closed).toBe(false);
  });
});

describe("after the subscriber connection drops (a Redis restart, as seen from the app)", () => {
  it("every stream re-checks on reconnect: a session ended meanwhile without a delivered publish ends, the others keep delivering", async () => {
    const { email, userId, browsers } = await userWithDevices(2);
    const [a, b] = browsers as [Browser, Browser];
    const streamA = await openStream(a);
    const streamB = await openStream(b);
    const bus = getLiveBus() as RedisLiveBus;
    await bus.settled();
    // Ended with nothing delivered (lifecycle alone publishes nothing), as if published
    // while the subscriber was away; then the connection drops and comes back.
    await revokeSessions(userId, { sessionIds: [await sessionIdOf(b)] });
    bus.reconnect();
    expect(await streamB.next(5_000)).toMatchObject({ event: "session.ended", data: { reason: "other" } });
    // Re-subscribed: A's stream still gets what is published.
    await signIn(new Browser(UA.iphoneSafari), email);
    await streamA.until("sessions.changed", 5_000);
  });
});

describe("an open tab is not activity", () => {
  it("the heartbeat never bumps last-active, so a tab left open still reaches the idle timeout (session.ended idle)", async () => {
    const { browsers } = await userWithDevices(1);
    const [a] = browsers as [Browser];
    const stream = await openStream(a);
    const token = tokenOf(a);
    const lastActive = async () => (await getSessionIndex().lookup(tagOfToken(token), hashToken(token)))!.lastActiveAt;
    const t0 = await lastActive();
    // Past the touch interval: a request would bump last-active here; the heartbeat must not.
    await heartbeatAllStreams(t0 + env().SESSION_TOUCH_INTERVAL * 1000 + 5);
    await flushRepairs();
    expect(await lastActive()).toBe(t0);
    expect(stream.closed).toBe(false);
    await heartbeatAllStreams(t0 + env().SESSION_IDLE_TIMEOUT * 1000 + 1);
    await flushRepairs();
    expect(await stream.next(1_000)).toMatchObject({ event: "session.ended", data: { reason: "idle" } });
    expect((await stream.next(1_000)).event).toBe("closed");
  });
});

describe("limits", () => {
  it(`at most ${MAX_STREAMS_PER_SESSION} streams per session: the oldest is told stream.replaced and closed`, async () => {
    const { browsers } = await userWithDevices(1);
    const before = openStreamCount();
    const streams: SseReader[] = [];
    for (let i = 0; i < MAX_STREAMS_PER_SESSION; i++) streams.push(await openStream(browsers[0]!));
    expect(openStreamCount()).toBe(before + MAX_STREAMS_PER_SESSION);
    const newest = await openStream(browsers[0]!);
    expect((await streams[0]!.next(1_000)).event).toBe("stream.replaced");
    expect((await streams[0]!.next(1_000)).event).toBe("closed");
    expect(openStreamCount()).toBe(before + MAX_STREAMS_PER_SESSION);
    expect(newest.closed).toBe(false);
    expect(streams[1]!.closed).toBe(false);
  });

  it("a stream whose reader stops reading is dropped once its buffer is full (no unbounded queue)", async () => {
    const bus = new MemoryLiveBus();
    setLiveBusForTests(bus);
    try {
      const before = openStreamCount();
      const res = openSessionStream({ sessionId: "s-slow", userId: "u-slow", expiresAt: Date.now() + 60_000, lastActiveAt: Date.now() }, "");
      expect(openStreamCount()).toBe(before + 1);
      const changed: LiveEvent = { type: "sessions.changed" };
      // Nobody reads `res.body`: ~35 bytes per event, 32 KiB of buffer.
      for (let i = 0; i < 2_000 && openStreamCount() > before; i++) await bus.publish("u-slow", changed);
      expect(openStreamCount()).toBe(before);
      await expect(res.body!.getReader().read()).rejects.toThrow(/too slow/);
    } finally {
      setLiveBusForTests(undefined);
    }
  });

  it("counts open streams in the revocable_event_streams_open gauge", async () => {
    const { browsers } = await userWithDevices(1);
    const before = metricValue("revocable_event_streams_open");
    const s = await openStream(browsers[0]!);
    expect(metricValue("revocable_event_streams_open")).toBe(before + 1);
    await s.cancel();
    expect(metricValue("revocable_event_streams_open")).toBe(before);
  });
});

/** Open streams on this instance, by the gauge /api/metrics exports. */
const openGauge = () => metricValue("revocable_event_streams_open");

/** Subscribers of the user's channel on Redis (every instance's bus counts once). */
async function subscribersOf(userId: string): Promise<number> {
  const raw = new Redis(process.env.REDIS_URL!);
  try {
    await getLiveBus().settled();
    return Number(((await raw.pubsub("NUMSUB", (getLiveBus() as RedisLiveBus).channelOf(userId))) as [string, number])[1]);
  } finally {
    raw.disconnect();
  }
}

/** Intervals set and not cleared (the heartbeat is one per stream): vitest's clock fakes only setInterval/clearInterval. */
const timers = () => vi.getTimerCount();

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("nothing is left behind", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("HEAD opens no stream: 405 with Allow: GET, no stream, timer or subscription (Next answers HEAD with GET unless the route says otherwise)", async () => {
    const { userId, browsers } = await userWithDevices(1);
    const before = { streams: openGauge(), timers: timers() };
    // What Next runs for a HEAD request to this route module.
    const head = autoImplementMethods(eventsModule as unknown as Parameters<typeof autoImplementMethods>[0]).HEAD;
    const res = await browsers[0]!.api((req) => Promise.resolve(head(req as never, undefined as never)) as Promise<Response>, "/api/sessions/events", { method: "HEAD" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET");
    expect(res.headers.get("content-type")).not.toMatch(/event-stream/);
    expect(openGauge()).toBe(before.streams);
    expect(timers()).toBe(before.timers);
    expect(await subscribersOf(userId)).toBe(0);
  });

  it("a client that disconnects leaves no stream, heartbeat timer or subscription (over a real HTTP server)", async () => {
    const app = await startHttpApp();
    const abort = new AbortController();
    try {
      const { userId, browsers } = await userWithDevices(1);
      const before = { streams: openGauge(), timers: timers() };
      const res = await fetch(`${app.url}/api/sessions/events`, { headers: browsers[0]!.headers(), signal: abort.signal });
      expect(res.status).toBe(200);
      await until(() => openGauge() === before.streams + 1);
      expect(timers()).toBe(before.timers + 1);
      expect(await subscribersOf(userId)).toBe(1);
      abort.abort();
      await until(() => openGauge() === before.streams);
      await until(() => timers() === before.timers);
      await until(async () => (await subscribersOf(userId)) === 0);
    } finally {
      abort.abort();
      await app.close();
    }
  });
});

describe("caps on open streams (EVENT_STREAMS_MAX_PER_USER, EVENT_STREAMS_MAX_PER_INSTANCE)", () => {
  const setCaps = (perUser: number | undefined, perInstance: number | undefined) => {
    for (const [k, v] of [["EVENT_STREAMS_MAX_PER_USER", perUser], ["EVENT_STREAMS_MAX_PER_INSTANCE", perInstance]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = String(v);
    }
    resetEnvForTests();
  };
  afterEach(() => setCaps(undefined, undefined));

  async function refused(b: Browser) {
    const res = await b.api(eventsRoute, "/api/sessions/events");
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    return (await res.json()) as { error: { code: string; message: string } };
  }

  it("per user: past the cap a 429 JSON error, while another user's streams still open; a tab closing frees a place", async () => {
    expect(openStreamCount()).toBe(0);
    setCaps(2, 100);
    const { browsers } = await userWithDevices(3);
    const [a1, a2, a3] = browsers as [Browser, Browser, Browser];
    const first = await openStream(a1);
    await openStream(a2);
    const before = openGauge();
    expect(await refused(a3)).toEqual({ error: { code: "too_many_streams", message: expect.stringMatching(/this account/) } });
    expect(openGauge()).toBe(before);
    const other = (await userWithDevices(1)).browsers[0]!;
    await openStream(other);
    await first.cancel();
    await until(() => openGauge() === before);
    await openStream(a3);
  });

  it("a session at its own cap replaces its oldest stream even when the user is at theirs", async () => {
    setCaps(MAX_STREAMS_PER_SESSION, 100);
    const { browsers } = await userWithDevices(1);
    const streams: SseReader[] = [];
    for (let i = 0; i < MAX_STREAMS_PER_SESSION; i++) streams.push(await openStream(browsers[0]!));
    await openStream(browsers[0]!);
    expect((await streams[0]!.next(1_000)).event).toBe("stream.replaced");
  });

  it("per instance: past the cap a 429 JSON error for everyone, until a stream closes", async () => {
    expect(openStreamCount()).toBe(0);
    setCaps(1, 2);
    const users = await Promise.all([1, 2, 3].map(async () => (await userWithDevices(1)).browsers[0]!));
    const first = await openStream(users[0]!);
    await openStream(users[1]!);
    expect(await refused(users[2]!)).toEqual({ error: { code: "too_many_streams", message: expect.stringMatching(/this server/i) } });
    await first.cancel();
    await until(() => openStreamCount() === 1);
    await openStream(users[2]!);
  });

  it("the configuration refuses a per-user cap above the per-instance one", () => {
    setCaps(10, 5);
    expect(() => env()).toThrow(/EVENT_STREAMS_MAX_PER_USER/);
  });
});

describe("fan-out across instances", () => {
  const buses: RedisLiveBus[] = [];
  afterAll(async () => {
    await Promise.all(buses.map((b) => b.close()));
  });

  it("two instances (two buses, two Redis connections): a publish on one reaches the other's subscriber", async () => {
    const one = new RedisLiveBus(createRedisClient(), "rv");
    const two = new RedisLiveBus(createRedisClient(), "rv");
    buses.push(one, two);
    const received = new Promise<LiveEvent>((resolve) => one.subscribe("user-across", resolve));
    await one.settled();
    await two.publish("user-across", { type: "session.ended", sessionId: "s1", reason: "revoke" });
    expect(await received).toEqual({ type: "session.ended", sessionId: "s1", reason: "revoke" });
  });

  it("a stream on instance 1 ends when instance 2 publishes its session's end", async () => {
    const instance2 = new RedisLiveBus(createRedisClient(), "rv");
    buses.push(instance2);
    const { userId, browsers } = await userWithDevices(1);
    const stream = await openStream(browsers[0]!);
    await getLiveBus().settled();
    const sessionId = await sessionIdOf(browsers[0]!);
    const sent = performance.now();
    await instance2.publish(userId, { type: "session.ended", sessionId, reason: "operator" });
    await expectEnded(stream, "operator", sent);
  });

  it("one subscription per user per instance, dropped when the user's last stream closes", async () => {
    const raw = new Redis(process.env.REDIS_URL!);
    try {
      const { userId, browsers } = await userWithDevices(1);
      const bus = getLiveBus() as RedisLiveBus;
      const channel = bus.channelOf(userId);
      const numsub = async () => Number(((await raw.pubsub("NUMSUB", channel)) as [string, number])[1]);
      const s1 = await openStream(browsers[0]!);
      const s2 = await openStream(browsers[0]!);
      await bus.settled();
      expect(await numsub()).toBe(1);
      await s1.cancel();
      await bus.settled();
      expect(await numsub()).toBe(1);
      await s2.cancel();
      await bus.settled();
      expect(await numsub()).toBe(0);
    } finally {
      raw.disconnect();
    }
  });
});

describe("over a real HTTP server", () => {
  it("the stream is delivered as it is written, and a revocation ends it", async () => {
    const app = await startHttpApp();
    try {
      const { browsers } = await userWithDevices(2);
      const [a, b] = browsers as [Browser, Browser];
      const res = await fetch(`${app.url}/api/sessions/events`, { headers: b.headers() });
      expect(res.status).toBe(200);
      const stream = new SseReader(res);
      readers.push(stream);
      await getLiveBus().settled();
      const revoke = await fetch(`${app.url}/api/sessions/revoke`, {
        method: "POST",
        headers: a.headers({ "content-type": "application/json" }),
        body: JSON.stringify({ sessionId: await sessionIdOf(b) }),
      });
      const answered = performance.now();
      expect(revoke.status).toBe(200);
      await expectEnded(stream, "revoke", answered);
      const none = await fetch(`${app.url}/api/sessions/events`, { headers: new Browser().headers() });
      expect(none.status).toBe(401);
    } finally {
      await app.close();
    }
  });
});
