// The modes side by side: the same request under each check (bench/modes.ts), interleaved
// rounds of throughput and latency, per-request Redis round trips and SQL, and how long a
// revoked session is still served.
import type autocannon from "autocannon";
import { tagOfToken } from "@/lib/session-index";
import { COOKIE_PREFIX, readSessionCookie, verifySessionCookie } from "@/lib/sessions/cookie";
import { revokeSessions } from "@/lib/sessions/lifecycle";
import { ACCEPTED, get, modePath, REJECTED, section, sleep, type Ctx } from "../context";
import { median, pooled, runLoad, withoutSamples, type LoadResult } from "../lib/load";
import { cookieFor, randomId, seedOneUser, type SeededSession } from "../lib/seed";
import { BENCH_PATHS, CHECKING_MODES, GATE_MODES, MODE_LABELS, PEER_MODES, type GateMode } from "../modes";

/** Cookie cache: the first request sets rv.session_data, as a browser would keep it. */
async function primeCookieCache(ctx: Ctx, sessions: SeededSession[]): Promise<string[]> {
  const name = `${COOKIE_PREFIX}.session_data=`;
  const out: string[] = [];
  for (let i = 0; i < sessions.length; i += 10) {
    const chunk = await Promise.all(
      sessions.slice(i, i + 10).map(async (s) => {
        const res = await get(ctx, modePath("cookie-cache"), s.cookie);
        const data = res.setCookie.find((c) => c.startsWith(name))?.split(";")[0];
        if (res.status !== ACCEPTED || !data) throw new Error(`cookie cache not primed (status ${res.status})`);
        return `${s.cookie}; ${data}`;
      }),
    );
    out.push(...chunk);
  }
  return out;
}

async function cookiesFor(ctx: Ctx, mode: GateMode, sessions: SeededSession[]): Promise<string[]> {
  if (mode === "cookie-cache") return primeCookieCache(ctx, sessions);
  if (PEER_MODES.includes(mode)) return ctx.peer.cookiesFor(sessions);
  return sessions.map((s) => s.cookie);
}

/** Ends a session the way each side does from another device: ours through the app's
 *  lifecycle (both stores), the peer's through better-auth's revokeSession. */
async function revokeFromElsewhere(ctx: Ctx, mode: GateMode, s: SeededSession, token: string): Promise<void> {
  if (!PEER_MODES.includes(mode)) {
    await revokeSessions(s.userId, { sessionIds: [s.sessionId] });
    return;
  }
  const other = await ctx.peer.createSession(s.userId);
  const headers = new Headers({ cookie: other.cookie });
  const { status } = await ctx.peer.auth.api.revokeSession({ headers, body: { token } });
  if (!status) throw new Error("staleness better-auth-redis: revokeSession did not succeed");
}

function requestsFor(mode: GateMode, cookies: string[]): autocannon.Request[] {
  return cookies.map((cookie) => ({ method: "GET", path: modePath(mode), headers: { cookie } }));
}

export async function loadMode(
  ctx: Ctx,
  mode: GateMode,
  sessions: SeededSession[],
  o: { seconds: number; connections: number },
): Promise<LoadResult> {
  // A MONITOR left open would slow Redis and this process under load: never measure with one.
  const clients = ctx.admin ? String(await ctx.admin.call("CLIENT", "LIST")).split("\n") : [];
  const monitors = clients.filter((c) => /\bflags=\S*O/.test(c)); // flag O: a client in MONITOR mode
  if (monitors.length) throw new Error(`a Redis MONITOR is still open during a load run: ${monitors.join("; ")}`);
  const cookies = await cookiesFor(ctx, mode, sessions);
  const before = await ctx.server.stats();
  const result = await runLoad({
    url: ctx.server.url,
    requests: requestsFor(mode, cookies),
    connections: o.connections,
    seconds: o.seconds,
    okStatuses: [ACCEPTED],
  });
  // CPU per request does not depend on how busy the machine is: the work a mode does, measured
  // where throughput on a shared machine is not.
  result.serverCpuUsPerRequest = ((await ctx.server.stats()).cpuUs - before.cpuUs) / Math.max(1, result.requests);
  const bad = result.requests - result.ok;
  if (bad > result.requests * 0.01 || result.ok === 0) {
    throw new Error(`${mode}: ${bad} of ${result.requests} requests were not served: ${JSON.stringify(result.statuses)}`);
  }
  return result;
}

/** The paths behave as bench/modes.ts says, so the modes differ only by their check. */
export async function selfCheck(ctx: Ctx, valid: SeededSession) {
  const anonymous = {
    target: (await get(ctx, BENCH_PATHS.target)).status,
    protected: (await get(ctx, BENCH_PATHS.protected)).status,
  };
  if (anonymous.target !== ACCEPTED || anonymous.protected !== REJECTED) {
    throw new Error(
      `bench paths no longer behave as expected (want ${ACCEPTED}/${REJECTED} without a session): ${JSON.stringify(anonymous)}. ` +
        "Check the matcher in src/proxy.ts and the gate in src/lib/proxy-gate.ts against BENCH_PATHS in bench/modes.ts.",
    );
  }
  const forged = cookieFor(tagOfToken(valid.token) + randomId()); // signed, but no such session
  const served: Record<string, { valid: number; bytes: number; unknown: number }> = {};
  for (const mode of GATE_MODES) {
    const [cookie] = PEER_MODES.includes(mode) ? await cookiesFor(ctx, mode, [valid]) : [valid.cookie];
    const ok = await get(ctx, modePath(mode), cookie);
    const unknown = await get(ctx, modePath(mode), forged);
    served[mode] = { valid: ok.status, bytes: ok.length, unknown: unknown.status };
    if (ok.status !== ACCEPTED || unknown.status !== (CHECKING_MODES.includes(mode) ? REJECTED : ACCEPTED)) {
      throw new Error(`mode ${mode} misbehaves: ${JSON.stringify(served[mode])}`);
    }
  }
  // The front-checked modes must serve the very same page. "next-proxy" (the reference row) goes
  // through Next's proxy, which adds its per-request CSP nonce to the page: a few bytes more.
  const sizes = new Set(Object.entries(served).filter(([m]) => m !== "next-proxy").map(([, s]) => s.bytes));
  if (sizes.size !== 1) throw new Error(`modes serve different bodies: ${JSON.stringify(served)}`);
  return { anonymous, served, bodyBytes: [...sizes][0] };
}

export interface Probe {
  requests: number;
  redisRoundTripsPerRequest: number;
  redisByCommand: Record<string, number>;
  redisCommandsInsideScripts: number;
  sqlPerRequest: number;
}

/** Per-request cost, observed: Redis commands (MONITOR) and SQL statements (driver count in the
 *  server process) over sequential requests. */
export async function probe(ctx: Ctx, mode: GateMode, sessions: SeededSession[], n: number): Promise<Probe> {
  const cookies = await cookiesFor(ctx, mode, sessions.slice(0, n));
  const before = await ctx.server.stats();
  const { observed } = await ctx.monitor.observe(async () => {
    for (let i = 0; i < n; i++) {
      const res = await get(ctx, modePath(mode), cookies[i % cookies.length]);
      if (res.status !== ACCEPTED) throw new Error(`probe ${mode}: status ${res.status}`);
    }
  });
  const after = await ctx.server.stats();
  return {
    requests: n,
    redisRoundTripsPerRequest: observed.roundTrips / n,
    redisByCommand: observed.byCommand,
    redisCommandsInsideScripts: observed.insideScripts,
    sqlPerRequest: (after.pgQueries - before.pgQueries) / n,
  };
}

export interface Staleness {
  staleRequests: number;
  staleMs: number | null;
  rejected: boolean;
  watchedMs: number;
  paceMs: number;
}

/** Revoke a session in both stores (as the app does), then keep using its cookies. */
async function staleness(ctx: Ctx, mode: GateMode, capMs: number): Promise<Staleness> {
  const paceMs = ctx.profile.stalenessPaceMs;
  const [s] = await seedOneUser(ctx.seedIdx, 1, `stale-${mode}`);
  const [cookie] = await cookiesFor(ctx, mode, [s!]);
  const first = await get(ctx, modePath(mode), cookie);
  if (first.status !== ACCEPTED) throw new Error(`staleness ${mode}: live session refused (${first.status})`);
  await revokeFromElsewhere(ctx, mode, s!, verifySessionCookie(readSessionCookie(new Headers({ cookie: cookie! })))!);
  const revokedAt = performance.now();
  let stale = 0;
  while (performance.now() - revokedAt < capMs) {
    const sentAt = performance.now();
    const res = await get(ctx, modePath(mode), cookie);
    if (res.status === REJECTED) return { staleRequests: stale, staleMs: sentAt - revokedAt, rejected: true, watchedMs: capMs, paceMs };
    if (res.status !== ACCEPTED) throw new Error(`staleness ${mode}: unexpected status ${res.status}`);
    stale++;
    await sleep(paceMs);
  }
  return { staleRequests: stale, staleMs: null, rejected: false, watchedMs: capMs, paceMs };
}

export async function perRequestCosts(ctx: Ctx, sessions: SeededSession[]) {
  const out: Partial<Record<GateMode, Probe>> = {};
  for (const mode of GATE_MODES) out[mode] = await probe(ctx, mode, sessions, ctx.profile.probeRequests);
  return out as Record<GateMode, Probe>;
}

const rotate = <T>(a: T[], r: number) => [...a.slice(r % a.length), ...a.slice(0, r % a.length)];

/** Every mode: a warm-up, then interleaved rounds (the mode order rotating each round, so a burst
 *  of other work on the machine falls on every mode alike), then staleness. */
export async function compareModes(ctx: Ctx, loadSample: SeededSession[], perRequest: Record<GateMode, Probe>, sessionsInStores: number, bodyBytes: number) {
  const { profile } = ctx;
  const modes = [...GATE_MODES];
  const saturated = Object.fromEntries(modes.map((m) => [m, [] as LoadResult[]])) as Record<GateMode, LoadResult[]>;
  const oneAtATime = Object.fromEntries(modes.map((m) => [m, [] as LoadResult[]])) as Record<GateMode, LoadResult[]>;
  await section("warm-up", async () => {
    for (const mode of modes) await loadMode(ctx, mode, loadSample, { seconds: profile.warmupSeconds, connections: profile.connections });
  });
  await section(`throughput: ${profile.rounds} interleaved rounds × ${modes.length} modes × ${profile.saturationSeconds} s`, async () => {
    for (let r = 0; r < profile.rounds; r++) {
      for (const mode of rotate(modes, r)) {
        saturated[mode].push(await loadMode(ctx, mode, loadSample, { seconds: profile.saturationSeconds, connections: profile.connections }));
      }
    }
  });
  await section(`latency: one request at a time, ${profile.rounds} interleaved rounds × ${profile.latencySeconds} s`, async () => {
    for (let r = 0; r < profile.rounds; r++) {
      for (const mode of rotate(modes, r)) {
        oneAtATime[mode].push(await loadMode(ctx, mode, loadSample, { seconds: profile.latencySeconds, connections: 1 }));
      }
    }
  });
  const stale = await section("revocation staleness per mode", async () => {
    const out: Partial<Record<GateMode, Staleness>> = {};
    for (const mode of modes) {
      const cap = mode === "cookie-cache" ? (profile.cookieCacheMaxAge + 5) * 1000 : profile.name === "smoke" ? 300 : 1000;
      out[mode] = await staleness(ctx, mode, cap);
    }
    return out as Record<GateMode, Staleness>;
  });
  const summary = modes.map((mode) => {
    const latency = pooled(oneAtATime[mode]);
    const atSaturation = pooled(saturated[mode]);
    return {
      mode,
      label: MODE_LABELS[mode],
      requestsPerSecond: median(saturated[mode].map((x) => x.requestsPerSecond)),
      /** Server CPU per request, median over the saturated rounds (µs). */
      serverCpuUsPerRequest: median(saturated[mode].map((x) => x.serverCpuUsPerRequest ?? NaN)),
      p50: latency.p50,
      p99: latency.p99,
      latencySamples: latency.count,
      saturatedP50: atSaturation.p50,
      saturatedP99: atSaturation.p99,
      redisRoundTripsPerRequest: perRequest[mode].redisRoundTripsPerRequest,
      sqlPerRequest: perRequest[mode].sqlPerRequest,
      staleness: stale[mode],
    };
  });
  const baseline = summary.find((s) => s.mode === "none")!;
  return {
    route: `Next's static not-found page (${bodyBytes} bytes), reached by every mode`,
    sessionsInStores,
    distinctCookies: loadSample.length,
    saturation: { connections: profile.connections, seconds: profile.saturationSeconds, rounds: profile.rounds },
    latency: { connections: 1, seconds: profile.latencySeconds, rounds: profile.rounds },
    cookieCacheMaxAgeSeconds: profile.cookieCacheMaxAge,
    summary: summary.map((s) => ({
      ...s,
      throughputRatio: s.requestsPerSecond / baseline.requestsPerSecond,
      p50Ratio: s.p50 / baseline.p50,
      p99Ratio: s.p99 / baseline.p99,
      p50DeltaMs: s.p50 - baseline.p50,
      p99DeltaMs: s.p99 - baseline.p99,
      serverCpuDeltaUs: s.serverCpuUsPerRequest - baseline.serverCpuUsPerRequest,
    })),
    raw: {
      saturated: Object.fromEntries(modes.map((m) => [m, saturated[m].map(withoutSamples)])),
      oneAtATime: Object.fromEntries(modes.map((m) => [m, oneAtATime[m].map(withoutSamples)])),
    },
  };
}

export type ModesFigure = Awaited<ReturnType<typeof compareModes>>;
export type ModeSummary = ModesFigure["summary"][number];
