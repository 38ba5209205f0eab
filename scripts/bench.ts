// `npm run bench` (full) · `npm run bench:smoke` or `npm run bench -- --smoke` (CI)
// Options: --no-build (use .next as it is), --build (always rebuild), --out FILE.
//
// One run, one production build, one server process, one Postgres database and one Redis DB
// of the run's own: the same protected route measured under every check mode side by side
// (interleaved rounds), then the micro-figures and the scaling run. See bench/README.md.
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { execFileSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import type autocannon from "autocannon";
import { and, eq, ne } from "drizzle-orm";
import { Redis } from "ioredis";
import { closeDb, getDb, getQueryCount } from "@/db";
import { hashPassword } from "better-auth/crypto";
import { account as accountTable, session as sessionTable, user as userTable } from "@/db/schema";
import { BENCH_PATHS, GATE_MODES, MODE_LABELS, MODE_PREFIX, type GateMode } from "@/lib/bench/gate-modes";
import { getRedisClient } from "@/lib/redis/client";
import { getSessionIndex, hashToken, tagOfToken } from "@/lib/session-index";
import { keysFor } from "@/lib/session-index/keys";
import { RedisSessionIndex } from "@/lib/session-index/redis";
import { COOKIE_PREFIX } from "@/lib/sessions/cookie";
import { revokeSessions } from "@/lib/sessions/lifecycle";
import { checkSessionCookie } from "@/lib/sessions/validate";
import { listSessions } from "@/lib/sessions/service";
import { PROFILES, TARGETS, type Profile } from "../bench/lib/config";
import { median, percentile, pooled, runLoad, withoutSamples, type LoadResult } from "../bench/lib/load";
import { RedisMonitor } from "../bench/lib/monitor";
import { startPrivateRedis } from "../bench/lib/redis-server";
import { fmt, table, verdict } from "../bench/lib/report";
import {
  cookieFor,
  randomId,
  seedIndexOnly,
  seedingIndex,
  seedOneUser,
  seedUsersWithSessions,
  USER_AGENTS,
  type SeededSession,
} from "../bench/lib/seed";
import { build, buildId, buildNeeded, freePort, startServer, type BenchServer } from "../bench/lib/server";
import {
  assertReachable,
  claimRedisDb,
  createRunDatabase,
  newRunId,
  PG_ADMIN_URL,
  REDIS_BASE_URL,
} from "../test/support/services";

const args = process.argv.slice(2);
const profile: Profile = PROFILES[args.includes("--smoke") ? "smoke" : "full"];
const outArg = args.indexOf("--out");
const OUT =
  outArg >= 0 && args[outArg + 1]
    ? path.resolve(args[outArg + 1]!)
    : path.join(process.cwd(), "bench", "results", profile.name === "full" ? "latest.json" : "smoke.tmp");

const started = Date.now();
const sectionSeconds: Record<string, number> = {};
const loadAverages: Record<string, number[]> = {};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function section<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const t = Date.now();
  process.stdout.write(`• ${name} ... `);
  loadAverages[`${name} (start)`] = os.loadavg().map((v) => Number(v.toFixed(2)));
  const value = await fn();
  sectionSeconds[name] = (Date.now() - t) / 1000;
  process.stdout.write(`${sectionSeconds[name]!.toFixed(1)} s\n`);
  return value;
}

function tryGit(...a: string[]): string | null {
  try {
    return execFileSync("git", a, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------

interface Ctx {
  server: BenchServer;
  monitor: RedisMonitor;
  seedIdx: RedisSessionIndex & { client: Redis };
  redisUrl: string;
  dbIndex: number;
  /** An admin connection to the private Redis (SLOWLOG, CLIENT LIST); null on a shared one. */
  admin: Redis | null;
}

const modePath = (mode: GateMode) => `${MODE_PREFIX}${mode}`;
const ACCEPTED = 404; // Next's not-found page: the route every mode serves once the check passes
const REJECTED = 401;

async function get(ctx: Ctx, pathname: string, cookie?: string) {
  const res = await fetch(`${ctx.server.url}${pathname}`, { headers: cookie ? { cookie } : {}, redirect: "manual" });
  const body = await res.text();
  return { status: res.status, length: body.length, setCookie: res.headers.getSetCookie() };
}

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
  return mode === "cookie-cache" ? primeCookieCache(ctx, sessions) : sessions.map((s) => s.cookie);
}

function requestsFor(mode: GateMode, cookies: string[]): autocannon.Request[] {
  return cookies.map((cookie) => ({ method: "GET", path: modePath(mode), headers: { cookie } }));
}

async function loadMode(
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
  const result = await runLoad({
    url: ctx.server.url,
    requests: requestsFor(mode, cookies),
    connections: o.connections,
    seconds: o.seconds,
    okStatuses: [ACCEPTED],
  });
  const bad = result.requests - result.ok;
  if (bad > result.requests * 0.01 || result.ok === 0) {
    throw new Error(`${mode}: ${bad} of ${result.requests} requests were not served: ${JSON.stringify(result.statuses)}`);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Self-check: the three paths behave as src/lib/bench/gate-modes.ts says, so the modes differ
// only by their check.

async function selfCheck(ctx: Ctx, valid: SeededSession) {
  const anon = {
    protected: (await get(ctx, BENCH_PATHS.protected)).status,
    publicAlias: (await get(ctx, BENCH_PATHS.publicAlias)).status,
    noProxy: (await get(ctx, BENCH_PATHS.noProxy)).status,
  };
  if (anon.protected !== REJECTED || anon.publicAlias !== ACCEPTED || anon.noProxy !== ACCEPTED) {
    throw new Error(
      `bench paths no longer behave as expected (want 401/404/404 without a session): ${JSON.stringify(anon)}. ` +
        "Check PUBLIC_PREFIXES in src/lib/proxy-gate.ts and the matcher in src/proxy.ts against BENCH_PATHS.",
    );
  }
  const forged = cookieFor(tagOfToken(valid.token) + randomId()); // signed, but no such session
  const served: Record<string, { valid: number; bytes: number; unknown: number }> = {};
  for (const mode of GATE_MODES) {
    const ok = await get(ctx, modePath(mode), valid.cookie);
    const unknown = await get(ctx, modePath(mode), forged);
    served[mode] = { valid: ok.status, bytes: ok.length, unknown: unknown.status };
    const checks = mode === "index" || mode === "better-auth" || mode === "cookie-cache";
    if (ok.status !== ACCEPTED || unknown.status !== (checks ? REJECTED : ACCEPTED)) {
      throw new Error(`mode ${mode} misbehaves: ${JSON.stringify(served[mode])}`);
    }
  }
  const sizes = new Set(Object.values(served).map((s) => s.bytes));
  if (sizes.size !== 1) throw new Error(`modes serve different bodies: ${JSON.stringify(served)}`);
  return { anonymous: anon, served, bodyBytes: [...sizes][0] };
}

// ---------------------------------------------------------------------------------------------
// Per-request cost, observed: Redis commands (MONITOR) and SQL statements (driver count in the
// server process) over sequential requests.

interface Probe {
  requests: number;
  redisRoundTripsPerRequest: number;
  redisByCommand: Record<string, number>;
  redisCommandsInsideScripts: number;
  sqlPerRequest: number;
}

async function probe(ctx: Ctx, mode: GateMode, sessions: SeededSession[], n: number): Promise<Probe> {
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

// ---------------------------------------------------------------------------------------------
// Staleness: revoke a session in both stores (as the app does), then keep using its cookies.

interface Staleness {
  staleRequests: number;
  staleMs: number | null;
  rejected: boolean;
  watchedMs: number;
  paceMs: number;
}

async function staleness(ctx: Ctx, mode: GateMode, capMs: number): Promise<Staleness> {
  const [s] = await seedOneUser(ctx.seedIdx, 1, `stale-${mode}`);
  const [cookie] = await cookiesFor(ctx, mode, [s!]);
  const first = await get(ctx, modePath(mode), cookie);
  if (first.status !== ACCEPTED) throw new Error(`staleness ${mode}: live session refused (${first.status})`);
  await revokeSessions(s!.userId, { sessionIds: [s!.sessionId] });
  const revokedAt = performance.now();
  let stale = 0;
  while (performance.now() - revokedAt < capMs) {
    const sentAt = performance.now();
    const res = await get(ctx, modePath(mode), cookie);
    if (res.status === REJECTED) {
      return { staleRequests: stale, staleMs: sentAt - revokedAt, rejected: true, watchedMs: capMs, paceMs: profile.stalenessPaceMs };
    }
    if (res.status !== ACCEPTED) throw new Error(`staleness ${mode}: unexpected status ${res.status}`);
    stale++;
    await sleep(profile.stalenessPaceMs);
  }
  return { staleRequests: stale, staleMs: null, rejected: false, watchedMs: capMs, paceMs: profile.stalenessPaceMs };
}

// ---------------------------------------------------------------------------------------------
// Micro-figures, in this process through the app's own modules (lifecycle, service, index).

function ms(from: bigint): number {
  return Number(process.hrtime.bigint() - from) / 1e6;
}

async function warmScripts(ctx: Ctx) {
  // Every Lua script once (a script's very first call anywhere is EVALSHA, NOSCRIPT, EVAL).
  const s = await seedOneUser(ctx.seedIdx, 2, "warm");
  await getSessionIndex().list(s[0]!.userId);
  await revokeSessions(s[0]!.userId, { allExcept: s[0]!.sessionId });
}

async function revokeAll(ctx: Ctx, n: number) {
  const observed: { roundTrips: number; byCommand: Record<string, number>; sql: number; removed: number; insideScripts: number } = {
    roundTrips: 0, byCommand: {}, sql: 0, removed: 0, insideScripts: 0,
  };
  {
    const sessions = await seedOneUser(ctx.seedIdx, n, `revoke-${n}`);
    const q0 = getQueryCount();
    const { value, observed: o } = await ctx.monitor.observe(() =>
      revokeSessions(sessions[0]!.userId, { allExcept: sessions[0]!.sessionId }),
    );
    Object.assign(observed, { roundTrips: o.roundTrips, byCommand: o.byCommand, insideScripts: o.insideScripts, sql: getQueryCount() - q0, removed: value.length });
    if (value.length !== n - 1) throw new Error(`revoke-all ${n}: removed ${value.length}`);
  }
  const total: number[] = [];
  const redisOnly: number[] = [];
  const redisExec: number[] = [];
  const pgDelete: number[] = [];
  await ctx.admin?.config("SET", "slowlog-log-slower-than", "0");
  for (let t = 0; t < profile.revokeTrials; t++) {
    const a = await seedOneUser(ctx.seedIdx, n, `revoke-${n}`);
    let start = process.hrtime.bigint();
    await revokeSessions(a[0]!.userId, { allExcept: a[0]!.sessionId });
    total.push(ms(start));
    // Where the time goes. Postgres: the statement revokeSessions runs, alone.
    const b = await seedOneUser(ctx.seedIdx, n, `revoke-${n}`);
    start = process.hrtime.bigint();
    const rows = await getDb()
      .delete(sessionTable)
      .where(and(eq(sessionTable.userId, b[0]!.userId), ne(sessionTable.id, b[0]!.sessionId)))
      .returning({ id: sessionTable.id, token: sessionTable.token });
    pgDelete.push(ms(start));
    // Redis: the index call alone, with exactly what revokeSessions hands it after Postgres;
    // SLOWLOG (threshold 0 on the private server) gives the script's own execution time.
    const refs = rows.map((r) => ({ sessionId: r.id, tokenHash: hashToken(r.token) }));
    await ctx.admin?.call("SLOWLOG", "RESET");
    start = process.hrtime.bigint();
    await getSessionIndex().remove(b[0]!.userId, refs, { keep: b[0]!.sessionId });
    redisOnly.push(ms(start));
    if (ctx.admin) {
      const entries = (await ctx.admin.call("SLOWLOG", "GET", "20")) as [number, number, number, string[]][];
      const script = entries.find((e) => String(e[3]?.[0]).toLowerCase() === "evalsha");
      if (script) redisExec.push(Number(script[2]) / 1000);
    }
  }
  await ctx.admin?.config("SET", "slowlog-log-slower-than", "10000");
  return {
    sessions: n,
    revoked: n - 1,
    roundTrips: observed.roundTrips,
    redisByCommand: observed.byCommand,
    redisCommandsInsideScripts: observed.insideScripts,
    sqlStatements: observed.sql,
    totalMs: { median: median(total), max: Math.max(...total), trials: total },
    redisMs: { median: median(redisOnly), max: Math.max(...redisOnly), trials: redisOnly },
    /** Inside Redis: the script's execution time (SLOWLOG), private Redis only. */
    redisExecMs: redisExec.length ? { median: median(redisExec), max: Math.max(...redisExec) } : null,
    /** The Postgres DELETE ... RETURNING alone. */
    postgresMs: { median: median(pgDelete), max: Math.max(...pgDelete) },
  };
}

async function listFigure(ctx: Ctx) {
  const sessions = await seedOneUser(ctx.seedIdx, profile.listSessions, "list");
  const current = await getSessionIndex().lookup(tagOfToken(sessions[0]!.token), hashToken(sessions[0]!.token));
  if (!current) throw new Error("list: current session not indexed");
  await listSessions(current);
  const q0 = getQueryCount();
  const { value, observed } = await ctx.monitor.observe(() => listSessions(current));
  const sql = getQueryCount() - q0;
  const times: number[] = [];
  for (let i = 0; i < profile.listTrials; i++) {
    const start = process.hrtime.bigint();
    await listSessions(current);
    times.push(ms(start));
  }
  // The same list over HTTP (GET /api/sessions): proxy check + route's own check + list.
  await get(ctx, "/api/sessions", sessions[0]!.cookie);
  const s0 = await ctx.server.stats();
  const http = await ctx.monitor.observe(() => get(ctx, "/api/sessions", sessions[0]!.cookie));
  const s1 = await ctx.server.stats();
  if (http.value.status !== 200) throw new Error(`GET /api/sessions: ${http.value.status}`);
  return {
    sessions: profile.listSessions,
    listed: value.length,
    roundTrips: observed.roundTrips,
    redisByCommand: observed.byCommand,
    sqlStatements: sql,
    ms: { median: median(times), p99: percentile([...times].sort((a, b) => a - b), 0.99) },
    overHttp: {
      route: "GET /api/sessions",
      redisRoundTrips: http.observed.roundTrips,
      redisByCommand: http.observed.byCommand,
      sqlStatements: s1.pgQueries - s0.pgQueries,
    },
  };
}

async function memoryFigure(ctx: Ctx) {
  const client = new Redis(ctx.redisUrl);
  const prefix = "rvmem";
  const idx = new RedisSessionIndex(client, { prefix });
  const out: Record<string, unknown>[] = [];
  try {
    for (const perUser of [1, 3]) {
      await idx.clear();
      const before = Number(/used_memory:(\d+)/.exec(await client.info("memory"))?.[1]);
      await seedIndexOnly(client, profile.memorySessions, 0, perUser, prefix);
      const after = Number(/used_memory:(\d+)/.exec(await client.info("memory"))?.[1]);
      const byKind: Record<string, { keys: number; bytes: number }> = {};
      let cursor = "0";
      let total = 0;
      do {
        const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 2000);
        cursor = next;
        const sizes = await Promise.all(keys.map((k) => client.memory("USAGE", k, "SAMPLES", 0)));
        keys.forEach((k, i) => {
          const kind = /:t:/.test(k) ? "validity (STRING)" : /:z$/.test(k) ? "by-creation (ZSET)" : /:d$/.test(k) ? "devices (HASH)" : "other";
          const size = Number(sizes[i] ?? 0);
          byKind[kind] ??= { keys: 0, bytes: 0 };
          byKind[kind].keys++;
          byKind[kind].bytes += size;
          total += size;
        });
      } while (cursor !== "0");
      out.push({
        sessionsPerUser: perUser,
        sessions: profile.memorySessions,
        bytesPerSession: total / profile.memorySessions,
        byKind,
        usedMemoryDeltaPerSession: (after - before) / profile.memorySessions,
      });
    }
    await idx.clear();
  } finally {
    client.disconnect();
  }
  return out;
}

/** Sign-ins per account in the throughput run: past the concurrent limit (3), so every
 *  account evicts, and under the per-account rate limit (10 per 15 min). */
const SIGN_INS_PER_ACCOUNT = 6;

async function signInFigure(ctx: Ctx) {
  const password = "bench password 1234567";
  const hash = await hashPassword(password); // one scrypt hash, shared: verification still runs per sign-in
  const users = Array.from({ length: profile.signInAccounts }, (_, i) => ({
    id: randomId(),
    name: `Sign-in ${i}`,
    email: `signin-${i}-${randomId(6)}@bench.invalid`.toLowerCase(),
    emailVerified: true,
  }));
  const db = getDb();
  for (let i = 0; i < users.length; i += 1000) {
    const batch = users.slice(i, i + 1000);
    await db.insert(userTable).values(batch);
    await db.insert(accountTable).values(
      batch.map((u) => ({ id: randomId(), accountId: u.id, providerId: "credential", userId: u.id, password: hash })),
    );
  }
  // The last accounts are kept apart for the rate-limit checks.
  const demo = users.splice(-12);
  const appUrl = ctx.server.url;
  const signIn = async (email: string, ip: string) => {
    const res = await fetch(`${appUrl}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: appUrl, "x-forwarded-for": ip, "user-agent": USER_AGENTS[0]! },
      body: JSON.stringify({ email, password }),
    });
    await res.arrayBuffer();
    return res.status;
  };
  let n = 0;
  const served = new Map<string, number>();
  const request: autocannon.Request = {
    method: "POST",
    path: "/api/auth/sign-in/email",
    // One request in flight per connection: the response belongs to the account set up last.
    onResponse: (status, _body, context) => {
      const email = (context as { email?: string }).email;
      if (status === 200 && email) served.set(email, (served.get(email) ?? 0) + 1);
    },
    setupRequest: (req, context) => {
      const i = n++;
      const email = users[Math.floor(i / SIGN_INS_PER_ACCOUNT) % users.length]!.email;
      (context as { email?: string }).email = email;
      // A distinct client address per sign-in (RFC 2544 benchmark range, only ever a header
      // on loopback): the per-IP limit stays on but does not cap this run.
      return {
        ...req,
        headers: {
          "content-type": "application/json",
          origin: appUrl,
          "user-agent": USER_AGENTS[0]!,
          "x-forwarded-for": `198.18.${(i >> 8) & 255}.${i & 255}`,
        },
        body: JSON.stringify({ email, password }),
      };
    },
  };
  const q0 = (await ctx.server.stats()).pgQueries;
  const { value: result, observed } = await ctx.monitor.observe(() =>
    runLoad({ url: appUrl, requests: [request], connections: profile.signInConnections, seconds: profile.signInSeconds, okStatuses: [200] }),
  );
  await sleep(1500); // sign-ins still in flight when the load stopped finish server-side
  const q1 = (await ctx.server.stats()).pgQueries;
  // The concurrent limit held: at most 3 per account, Postgres and Redis agreeing.
  const touched = users.slice(0, Math.min(users.length, Math.ceil(n / SIGN_INS_PER_ACCOUNT)));
  let remaining = 0;
  let maxPerUser = 0;
  let agree = true;
  for (const u of touched) {
    const pgIds = (await db.select({ id: sessionTable.id }).from(sessionTable).where(eq(sessionTable.userId, u.id)))
      .map((r) => r.id)
      .sort();
    const redisIds = (await getSessionIndex().list(u.id)).map((s) => s.sessionId).sort();
    remaining += pgIds.length;
    maxPerUser = Math.max(maxPerUser, pgIds.length);
    agree &&= JSON.stringify(pgIds) === JSON.stringify(redisIds);
  }
  // The rate limits are really on: 11 sign-ins from one address (to different accounts), and
  // 11 to one account (from different addresses).
  const oneAddress: number[] = [];
  for (let i = 0; i < 11; i++) oneAddress.push(await signIn(demo[i]!.email, "198.19.0.1"));
  const oneAccount: number[] = [];
  for (let i = 0; i < 11; i++) oneAccount.push(await signIn(demo[11]!.email, `198.19.1.${i + 1}`));
  const limit = 3;
  return {
    accounts: touched.length,
    signInsPerAccount: SIGN_INS_PER_ACCOUNT,
    connections: profile.signInConnections,
    signInsPerSecond: result.requestsPerSecond,
    p50: result.p50,
    p99: result.p99,
    signIns: result.ok,
    statuses: result.statuses,
    sqlPerSignIn: result.requests ? (q1 - q0) / result.requests : NaN,
    redisRoundTripsPerSignIn: result.requests ? observed.roundTrips / result.requests : NaN,
    redisByCommand: observed.byCommand,
    concurrentLimit: limit,
    sessionsRemaining: remaining,
    /** Lower bound: sign-ins past the limit that this client saw succeed, per account. */
    evictedAtLeast: [...served.values()].reduce((a, k) => a + Math.max(0, k - limit), 0),
    maxSessionsPerUser: maxPerUser,
    storesAgree: agree,
    limitHeld: maxPerUser <= limit && agree,
    rateLimit: {
      oneAddressElevenAccounts: oneAddress,
      oneAccountElevenAddresses: oneAccount,
      enforced: oneAddress.at(-1) === 429 && oneAccount.at(-1) === 429,
    },
  };
}

// ---------------------------------------------------------------------------------------------

/**
 * The proxy's check without HTTP around it: checkSessionCookie() in this process (HMAC, token
 * hash, one GET through the app's index client), and a bare GET of the same keys, sequential.
 * What it shows: the check's own cost, and whether a bigger Redis makes the GET slower.
 */
async function checkProfile(ctx: Ctx, sessions: SeededSession[], n: number) {
  const raw = new Redis(ctx.redisUrl, { commandTimeout: 250, maxRetriesPerRequest: 1 });
  const keys = sessions.map((s) => keysFor(process.env.REDIS_KEY_PREFIX ?? "rv", tagOfToken(s.token)).validity(hashToken(s.token)));
  const values = sessions.map((s) => s.cookie.slice(s.cookie.indexOf("=") + 1));
  async function time(fn: (i: number) => Promise<unknown>) {
    for (let i = 0; i < Math.min(500, n); i++) await fn(i);
    const t = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const start = process.hrtime.bigint();
      await fn(i);
      t[i] = Number(process.hrtime.bigint() - start) / 1e3;
    }
    t.sort();
    return { p50: percentile(t, 0.5), p99: percentile(t, 0.99) };
  }
  try {
    const get = await time(async (i) => {
      if (!(await raw.get(keys[i % keys.length]!))) throw new Error("check profile: session not in Redis");
    });
    const check = await time(async (i) => {
      const c = await checkSessionCookie(values[i % values.length]);
      if (!c.ok) throw new Error(`check profile: ${c.reason}`);
    });
    return { samples: n, redisGetUs: get, checkUs: check };
  } finally {
    raw.disconnect();
  }
}

async function redisKeys(ctx: Ctx): Promise<number> {
  const c = new Redis(ctx.redisUrl);
  try {
    return await c.dbsize();
  } finally {
    c.disconnect();
  }
}

async function main() {
  console.log(`Revocable bench (${profile.name}) — ${os.cpus().length} cores, load average ${os.loadavg().map((v) => v.toFixed(2)).join(" ")}`);
  const sharedRedis = args.includes("--shared-redis");
  await assertReachable("PostgreSQL", PG_ADMIN_URL);
  if (sharedRedis) await assertReachable("Redis", REDIS_BASE_URL);

  let buildInfo: { built: boolean; reason: string | null; seconds: number } = { built: false, reason: null, seconds: 0 };
  const reason = args.includes("--build") ? "--build given" : await buildNeeded();
  if (reason && args.includes("--no-build")) throw new Error(`--no-build, but ${reason}`);
  if (reason) {
    const b = await section(`next build (${reason})`, build);
    buildInfo = { built: true, reason, seconds: b.seconds };
  }
  const buildAtStart = await buildId();
  const git = { commit: tryGit("rev-parse", "HEAD"), dirty: (tryGit("status", "--porcelain", "--untracked-files=no") ?? "") !== "" };

  const runId = newRunId();
  const database = await createRunDatabase("bench", runId);
  let redis: { url: string; base: string; release: () => Promise<void>; kind: string };
  if (sharedRedis) {
    const claimed = await claimRedisDb(runId);
    redis = { url: claimed.url, base: REDIS_BASE_URL, release: claimed.release, kind: `shared (${REDIS_BASE_URL}, claimed DB)` };
  } else {
    const own = await startPrivateRedis();
    redis = { url: own.url, base: `redis://127.0.0.1:${own.port}`, release: own.stop, kind: `private redis-server ${own.version} on port ${own.port}` };
  }
  const dbIndex = Number(new URL(redis.url).pathname.slice(1));
  const outbox = await mkdtemp(path.join(os.tmpdir(), "revocable-bench-outbox-"));
  const port = await freePort();
  const appEnv = {
    NODE_ENV: "production",
    APP_URL: `http://127.0.0.1:${port}`,
    BETTER_AUTH_SECRET: `bench-secret-${randomId(40)}`,
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: "rv",
    SESSION_MAX_CONCURRENT: "3",
    OUTBOX_DIR: outbox,
    NEXT_TELEMETRY_DISABLED: "1",
  };
  // This process uses the app's modules too (seeding, revoking, listing): same configuration.
  Object.assign(process.env, appEnv);

  const redisKind = redis.kind;
  const cleanups: (() => void)[] = [];
  let server: BenchServer | undefined;
  const monitor = new RedisMonitor(redis.base, dbIndex);
  const seedIdx = seedingIndex();
  const results: Record<string, unknown> = {};
  try {
    const base = await section(`seed ${fmt.int(profile.baseSessions)} sessions (Postgres + Redis)`, () =>
      seedUsersWithSessions(seedIdx, { users: Math.ceil(profile.baseSessions / 3), sessionsPerUser: 3, emailPrefix: "base" }),
    );
    const loadSample = [...base].sort(() => Math.random() - 0.5).slice(0, profile.loadSessions);

    server = await section("start the production build (bench server)", () =>
      startServer(port, { ...appEnv, BENCH_COOKIE_CACHE_MAX_AGE: String(profile.cookieCacheMaxAge) }),
    );
    const admin = sharedRedis ? null : new Redis(redis.url);
    const ctx: Ctx = { server, monitor, seedIdx, redisUrl: redis.url, dbIndex, admin };
    cleanups.push(() => admin?.disconnect());

    results.selfCheck = await section("self-check of the bench paths", () => selfCheck(ctx, loadSample[0]!));

    results.perRequest = await section("per-request Redis commands and SQL (MONITOR, driver count)", async () => {
      const out: Partial<Record<GateMode, Probe>> = {};
      for (const mode of GATE_MODES) out[mode] = await probe(ctx, mode, loadSample, profile.probeRequests);
      return out;
    });

    // --- the modes, side by side ------------------------------------------------------------
    const modes = [...GATE_MODES];
    const rotate = <T>(a: T[], r: number) => [...a.slice(r % a.length), ...a.slice(0, r % a.length)];
    const saturated: Record<GateMode, LoadResult[]> = { "no-proxy": [], none: [], index: [], "better-auth": [], "cookie-cache": [] };
    const oneAtATime: Record<GateMode, LoadResult[]> = { "no-proxy": [], none: [], index: [], "better-auth": [], "cookie-cache": [] };
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
      return out;
    });
    const perRequest = results.perRequest as Record<GateMode, Probe>;
    const summary = modes.map((mode) => {
      const rps = median(saturated[mode].map((x) => x.requestsPerSecond));
      return {
        mode,
        label: MODE_LABELS[mode],
        requestsPerSecond: rps,
        p50: pooled(oneAtATime[mode]).p50,
        p99: pooled(oneAtATime[mode]).p99,
        latencySamples: pooled(oneAtATime[mode]).count,
        saturatedP50: pooled(saturated[mode]).p50,
        saturatedP99: pooled(saturated[mode]).p99,
        redisRoundTripsPerRequest: perRequest[mode].redisRoundTripsPerRequest,
        sqlPerRequest: perRequest[mode].sqlPerRequest,
        staleness: stale[mode]!,
      };
    });
    const baseline = summary.find((s) => s.mode === "none")!;
    const withRatios = summary.map((s) => ({
      ...s,
      throughputRatio: s.requestsPerSecond / baseline.requestsPerSecond,
      p50Ratio: s.p50 / baseline.p50,
      p99Ratio: s.p99 / baseline.p99,
      p50DeltaMs: s.p50 - baseline.p50,
      p99DeltaMs: s.p99 - baseline.p99,
    }));
    results.modes = {
      route: `Next's static not-found page (${(results.selfCheck as { bodyBytes: number }).bodyBytes} bytes), reached by every mode`,
      sessionsInStores: base.length,
      distinctCookies: loadSample.length,
      saturation: { connections: profile.connections, seconds: profile.saturationSeconds, rounds: profile.rounds },
      latency: { connections: 1, seconds: profile.latencySeconds, rounds: profile.rounds },
      cookieCacheMaxAgeSeconds: profile.cookieCacheMaxAge,
      summary: withRatios,
      raw: {
        saturated: Object.fromEntries(modes.map((m) => [m, saturated[m].map(withoutSamples)])),
        oneAtATime: Object.fromEntries(modes.map((m) => [m, oneAtATime[m].map(withoutSamples)])),
      },
    };

    // --- micro-figures ------------------------------------------------------------------------
    await warmScripts(ctx);
    results.revokeAll = await section(`revoke-all at ${profile.revokeSizes.join(", ")} sessions`, async () => {
      const out = [];
      for (const n of profile.revokeSizes) out.push(await revokeAll(ctx, n));
      return out;
    });
    results.list = await section(`list ${profile.listSessions} sessions`, () => listFigure(ctx));
    results.memory = await section(`Redis memory per session (${fmt.int(profile.memorySessions)} sessions)`, () => memoryFigure(ctx));
    results.signIn = await section("sign-in throughput (limit 3 per user, per-IP rate limit on)", () => signInFigure(ctx));

    // --- scaling ------------------------------------------------------------------------------
    results.scaling = await section(`scaling: proxy check at ${profile.scalingSizes.map(fmt.int).join(" / ")} sessions`, async () => {
      const out = [];
      let inRedis = base.length;
      for (const size of profile.scalingSizes) {
        let sample = loadSample;
        let seedSeconds = 0;
        if (size > inRedis) {
          const t = Date.now();
          sample = await seedIndexOnly(seedIdx.client, size - inRedis, profile.loadSessions);
          seedSeconds = (Date.now() - t) / 1000;
          inRedis = size;
        }
        const keys = await redisKeys(ctx);
        const inProcess = await checkProfile(ctx, sample, profile.checkSamples);
        // Rows 1 and 2, interleaved (none, index, index, none, ...), medians over rounds.
        const runs: Record<"none" | "index", { sat: LoadResult[]; one: LoadResult[] }> = {
          none: { sat: [], one: [] },
          index: { sat: [], one: [] },
        };
        for (let r = 0; r < profile.scalingRounds; r++) {
          for (const mode of r % 2 ? (["index", "none"] as const) : (["none", "index"] as const)) {
            runs[mode].sat.push(await loadMode(ctx, mode, sample, { seconds: profile.scalingSeconds, connections: profile.connections }));
            runs[mode].one.push(await loadMode(ctx, mode, sample, { seconds: profile.scalingSeconds, connections: 1 }));
          }
        }
        const rps = (mode: "none" | "index") => median(runs[mode].sat.map((x) => x.requestsPerSecond));
        const lat = (mode: "none" | "index") => pooled(runs[mode].one);
        out.push({
          sessions: size,
          redisKeys: keys,
          seedSeconds,
          rounds: profile.scalingRounds,
          baselineRequestsPerSecond: rps("none"),
          indexRequestsPerSecond: rps("index"),
          throughputRatio: rps("index") / rps("none"),
          baselineP50: lat("none").p50,
          indexP50: lat("index").p50,
          p50DeltaMs: lat("index").p50 - lat("none").p50,
          baselineP99: lat("none").p99,
          indexP99: lat("index").p99,
          p99DeltaMs: lat("index").p99 - lat("none").p99,
          checkInProcess: inProcess,
          raw: {
            none: { saturated: runs.none.sat.map(withoutSamples), oneAtATime: runs.none.one.map(withoutSamples) },
            index: { saturated: runs.index.sat.map(withoutSamples), oneAtATime: runs.index.one.map(withoutSamples) },
          },
        });
      }
      return out;
    });
    results.buildChangedDuringRun = (await buildId()) !== buildAtStart;
  } catch (err) {
    if (server) console.error(`\nbench server output (tail):\n${server.output().slice(-4000)}`);
    throw err;
  } finally {
    await server?.stop();
    for (const c of cleanups) c();
    seedIdx.client.disconnect();
    getRedisClient()?.disconnect();
    await closeDb();
    await redis.release();
    await database.drop();
    await rm(outbox, { recursive: true, force: true });
  }

  const totalSeconds = (Date.now() - started) / 1000;
  const report = {
    profile: profile.name,
    generatedAt: new Date().toISOString(),
    machine: {
      cores: os.cpus().length,
      cpu: os.cpus()[0]?.model,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      loadAverages,
    },
    git,
    build: { ...buildInfo, id: buildAtStart },
    redis: redisKind,
    targets: TARGETS,
    ...results,
    sectionSeconds,
    totalSeconds,
  };
  await mkdir(path.dirname(OUT), { recursive: true });
  await writeFile(OUT, `${JSON.stringify(report, null, 2)}\n`);
  print(report as unknown as Report);
  console.log(`\nResults: ${path.relative(process.cwd(), OUT)} · total ${totalSeconds.toFixed(0)} s`);
}

// ---------------------------------------------------------------------------------------------

type ModeSummary = {
  mode: GateMode;
  label: string;
  requestsPerSecond: number;
  throughputRatio: number;
  p50: number;
  p99: number;
  p50DeltaMs: number;
  p99DeltaMs: number;
  p50Ratio: number;
  p99Ratio: number;
  redisRoundTripsPerRequest: number;
  sqlPerRequest: number;
  staleness: Staleness;
};
interface Report {
  profile: string;
  modes: { summary: ModeSummary[]; sessionsInStores: number; distinctCookies: number; route: string; cookieCacheMaxAgeSeconds: number };
  revokeAll: Awaited<ReturnType<typeof revokeAll>>[];
  list: Awaited<ReturnType<typeof listFigure>>;
  memory: { sessionsPerUser: number; bytesPerSession: number; usedMemoryDeltaPerSession: number }[];
  signIn: Awaited<ReturnType<typeof signInFigure>>;
  scaling: {
    sessions: number;
    redisKeys: number;
    seedSeconds: number;
    throughputRatio: number;
    indexRequestsPerSecond: number;
    baselineRequestsPerSecond: number;
    indexP50: number;
    p50DeltaMs: number;
    indexP99: number;
    p99DeltaMs: number;
    checkInProcess: Awaited<ReturnType<typeof checkProfile>>;
  }[];
  buildChangedDuringRun: boolean;
}

function print(r: Report) {
  const m = r.modes;
  console.log(`\nThe same protected route under each check — ${m.route}`);
  console.log(
    `${fmt.int(m.sessionsInStores)} sessions in Postgres and Redis, ${m.distinctCookies} distinct cookies. req/s: saturated; ` +
      `p50/p99: one request at a time (1 connection), over all ${profile.rounds} interleaved rounds. Ratios against baseline (1).\n`,
  );
  console.log(
    table(
      ["mode", "req/s", "× base", "p50 ms", "× base", "Δp50", "p99 ms", "× base", "Δp99", "Redis RT/req", "SQL/req", "stale reqs", "stale ms"],
      m.summary.map((s) => [
        s.label,
        fmt.int(s.requestsPerSecond),
        fmt.ratio(s.throughputRatio),
        fmt.ms(s.p50),
        fmt.num(s.p50Ratio, 2),
        fmt.signedMs(s.p50DeltaMs),
        fmt.ms(s.p99),
        fmt.num(s.p99Ratio, 2),
        fmt.signedMs(s.p99DeltaMs),
        fmt.num(s.redisRoundTripsPerRequest, 2),
        fmt.num(s.sqlPerRequest, 2),
        s.staleness.rejected ? String(s.staleness.staleRequests) : `never (${s.staleness.staleRequests}+ served)`,
        s.staleness.rejected ? fmt.ms(s.staleness.staleMs ?? NaN, 1) : `> ${fmt.int(s.staleness.watchedMs)}`,
      ]),
    ),
  );
  console.log(
    `\nStaleness: requests still served after the revoke (one every ${profile.stalenessPaceMs} ms) and time to the first refusal. ` +
      `The cookie cache's is bounded by its maxAge, ${m.cookieCacheMaxAgeSeconds} s in this run (better-auth's default: 300 s).`,
  );
  const idx = m.summary.find((s) => s.mode === "index")!;
  const ba = m.summary.find((s) => s.mode === "better-auth")!;
  const cc = m.summary.find((s) => s.mode === "cookie-cache")!;
  const rv = r.revokeAll.at(-1)!;
  const mem = r.memory.find((x) => x.sessionsPerUser === 3) ?? r.memory[0]!;
  const memWorst = Math.max(...r.memory.map((x) => x.bytesPerSession));
  const checks: [string, boolean, string][] = [
    ["proxy p50 overhead ≤ +0.5 ms", idx.p50DeltaMs <= TARGETS.p50OverheadMs, `${fmt.signedMs(idx.p50DeltaMs)} ms`],
    ["proxy p99 overhead ≤ +2 ms", idx.p99DeltaMs <= TARGETS.p99OverheadMs, `${fmt.signedMs(idx.p99DeltaMs)} ms`],
    ["proxy throughput ≥ 85% of baseline", idx.throughputRatio >= TARGETS.throughputRatio, fmt.ratio(idx.throughputRatio)],
    ["proxy faster than better-auth's database getSession", idx.requestsPerSecond > ba.requestsPerSecond && idx.p50 < ba.p50, `${fmt.int(idx.requestsPerSecond)} vs ${fmt.int(ba.requestsPerSecond)} req/s`],
    ["proxy staleness zero (cookie cache: up to maxAge)", idx.staleness.rejected && idx.staleness.staleRequests === 0, `${idx.staleness.staleRequests} vs ${cc.staleness.staleRequests} requests / ${fmt.ms(cc.staleness.staleMs ?? NaN, 0)} ms`],
    [`revoke-all ${fmt.int(rv.sessions)}: one Redis round trip`, rv.roundTrips === 1, `${rv.roundTrips} (${Object.entries(rv.redisByCommand).map(([k, v]) => `${k}×${v}`).join(", ")})`],
    [`revoke-all ${fmt.int(rv.sessions)}: < 10 ms (Postgres + Redis)`, rv.totalMs.median < TARGETS.revokeAllMs, `${fmt.ms(rv.totalMs.median)} ms (Redis alone ${fmt.ms(rv.redisMs.median)} ms)`],
    [`list ${r.list.sessions}: one round trip, no SQL`, r.list.roundTrips === 1 && r.list.sqlStatements === 0, `${r.list.roundTrips} round trip, ${r.list.sqlStatements} SQL`],
    ["Redis memory per session < 512 B", memWorst < TARGETS.bytesPerSession, `${fmt.int(mem.bytesPerSession)} B at 3/user, ${fmt.int(memWorst)} B worst`],
  ];
  console.log(`\nTargets (ARCHITECTURE.md)\n`);
  console.log(table(["target", "result", "figure"], checks.map(([name, ok, fig]) => [name, verdict(ok), fig]), 2));

  console.log(`\nMicro-figures (Redis round trips observed with MONITOR; SQL counted at the driver)\n`);
  console.log(
    table(
      ["figure", "round trips", "SQL", "median ms", "max ms", "note"],
      [
        ...r.revokeAll.map((x) => [
          `revoke-all, ${fmt.int(x.sessions)} sessions`,
          x.roundTrips,
          x.sqlStatements,
          fmt.ms(x.totalMs.median),
          fmt.ms(x.totalMs.max),
          `Postgres DELETE ${fmt.ms(x.postgresMs.median)} ms; index call ${fmt.ms(x.redisMs.median)} ms${x.redisExecMs ? ` (script ${fmt.ms(x.redisExecMs.median)} ms in Redis)` : ""}`,
        ]),
        [`list, ${r.list.sessions} sessions`, r.list.roundTrips, r.list.sqlStatements, fmt.ms(r.list.ms.median), fmt.ms(r.list.ms.p99), `over HTTP: ${r.list.overHttp.redisRoundTrips} RT, ${r.list.overHttp.sqlStatements} SQL`],
        ...r.memory.map((x) => [`memory, ${x.sessionsPerUser} session(s)/user`, "", "", "", "", `${fmt.int(x.bytesPerSession)} B/session (used_memory Δ ${fmt.int(x.usedMemoryDeltaPerSession)} B)`]),
        [
          `sign-in, ${r.signIn.connections} connections`,
          "",
          fmt.num(r.signIn.sqlPerSignIn, 1),
          fmt.ms(r.signIn.p50, 1),
          fmt.ms(r.signIn.p99, 1),
          `${fmt.num(r.signIn.signInsPerSecond, 1)}/s over ${r.signIn.accounts} accounts, ≥ ${r.signIn.evictedAtLeast} evicted, max ${r.signIn.maxSessionsPerUser}/user, stores agree: ${r.signIn.storesAgree}, rate limits enforced: ${r.signIn.rateLimit.enforced}`,
        ],
      ],
    ),
  );
  console.log(
    "\nScaling: our proxy check vs baseline as Redis grows (req/s saturated; p50/p99 one request at a time; " +
      "check = checkSessionCookie() in-process, GET = a bare GET of the same keys, sequential)\n",
  );
  console.log(
    table(
      ["sessions in Redis", "keys", "seed s", "req/s", "× base", "p50 ms", "Δp50", "p99 ms", "Δp99", "check µs p50/p99", "GET µs p50/p99"],
      r.scaling.map((x) => [
        fmt.int(x.sessions),
        fmt.int(x.redisKeys),
        fmt.num(x.seedSeconds, 1),
        fmt.int(x.indexRequestsPerSecond),
        fmt.ratio(x.throughputRatio),
        fmt.ms(x.indexP50),
        fmt.signedMs(x.p50DeltaMs),
        fmt.ms(x.indexP99),
        fmt.signedMs(x.p99DeltaMs),
        `${fmt.int(x.checkInProcess.checkUs.p50)} / ${fmt.int(x.checkInProcess.checkUs.p99)}`,
        `${fmt.int(x.checkInProcess.redisGetUs.p50)} / ${fmt.int(x.checkInProcess.redisGetUs.p99)}`,
      ]),
    ),
  );
  if (r.buildChangedDuringRun) console.log("\nWARNING: .next was rebuilt by someone else during the run; rerun for clean figures.");
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`\nbench failed: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
