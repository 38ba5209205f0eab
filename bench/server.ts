// Bench-only server (started by bench/run.ts, never in production): the production build
// in .next served by Next's own request handler, the one `next start` uses, behind a thin
// front that stamps the client address as server.ts does and picks how
// /__bench/mode/<mode> is checked (bench/modes.ts).
// Every other path goes to Next untouched (sign-in, /api/sessions, pages).
//
//   PORT                         port to listen on (127.0.0.1)
//   BENCH_COOKIE_CACHE_MAX_AGE   better-auth cookie cache maxAge for the cookie-cache mode (s)
//   plus the app's own environment (NODE_ENV=production, DATABASE_URL, REDIS_URL, ...)
//
// GET /__bench/stats answers {pgQueries, cpuUs, rss, ...}: statements this process sent to Postgres,
// counted at the driver, and the CPU time it has used (user + system, µs).
// GET /__bench/stats?gc=1 first runs a full garbage collection (the server is started with
// --expose-gc), so the memory figures are what is still reachable, not garbage not yet swept. `pg` is a server-external package, so Next's bundle and the front share this one
// module and every query of the process is counted.
//
// A request sent with `x-bench-timing: <id>` is timed by store: its wall time in this process
// (arrival to the last byte) and, within it, the time its Postgres statements and its Redis
// commands took (`pg` and `ioredis` are both server-external, so the app's calls go through the
// patched prototypes). GET /__bench/timing/<id> answers it once the response has finished.
// Statements containing `skip locked` (the revoke-all clean-up, which runs after the answer,
// off the request path) are not counted.
import { AsyncLocalStorage } from "node:async_hooks";
import { readFileSync } from "node:fs";
import http from "node:http";
import { Redis } from "ioredis";
import next from "next";
import pg from "pg";
import { stampClientAddress } from "@/lib/client-address";
import type { RequestTiming } from "./lib/request-timing";

interface Tracked {
  timing: RequestTiming;
  start: number;
  pg: [number, number][];
  redis: [number, number][];
}
const timed = new AsyncLocalStorage<Tracked>();
const timings = new Map<string, RequestTiming>();
/** Records [start, end] in `into` when the returned function is called (success or failure). */
function interval(into: [number, number][]) {
  const start = performance.now();
  return () => void into.push([start, performance.now()]);
}
/** Length of the union of intervals, clipped to [from, to]. */
function covered(intervals: [number, number][], from: number, to: number): number {
  const sorted = intervals.map(([a, b]): [number, number] => [Math.max(a, from), Math.min(b, to)]).filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of sorted) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

let pgQueries = 0;
const originalQuery = pg.Client.prototype.query as unknown as (...args: unknown[]) => unknown;
(pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (
  this: pg.Client,
  ...args: unknown[]
) {
  pgQueries++;
  const t = timed.getStore();
  const text = typeof args[0] === "string" ? args[0] : (args[0] as { text?: string } | undefined)?.text;
  if (!t || t.timing.done || /skip locked/i.test(text ?? "")) return originalQuery.apply(this, args);
  t.timing.pgStatements++;
  const settle = interval(t.pg);
  const cb = args.at(-1);
  if (typeof cb === "function") {
    args[args.length - 1] = (...r: unknown[]) => {
      settle();
      return (cb as (...a: unknown[]) => unknown)(...r);
    };
    return originalQuery.apply(this, args);
  }
  const out = originalQuery.apply(this, args);
  if (out && typeof (out as Promise<unknown>).then === "function") (out as Promise<unknown>).then(settle, settle);
  return out;
};
type SendCommand = (command: { name: string; promise: Promise<unknown> }, ...rest: unknown[]) => unknown;
const originalSend = (Redis.prototype as unknown as { sendCommand: SendCommand }).sendCommand;
(Redis.prototype as unknown as { sendCommand: SendCommand }).sendCommand = function (this: Redis, command, ...rest) {
  const t = timed.getStore();
  if (t && !t.timing.done) {
    // A script is named by its number of keys: the index's scripts differ in it.
    const args = (command as unknown as { args?: unknown[] }).args;
    t.timing.redisCommands.push(command.name === "evalsha" ? `evalsha/${String(args?.[1])} keys` : command.name);
    const settle = interval(t.redis);
    const at = t.timing.redisCommandMs.push(0) - 1;
    const sent = performance.now();
    const done = () => {
      t.timing.redisCommandMs[at] = performance.now() - sent;
      settle();
    };
    command.promise.then(done, done);
  }
  return originalSend.call(this, command, ...rest);
};

/** Context switches of this process so far (Linux; null elsewhere): how often it went to
 *  sleep and was woken, voluntarily (waiting for I/O) or not (preempted). */
function contextSwitches(): { voluntary: number; involuntary: number } | null {
  try {
    const status = readFileSync("/proc/self/status", "utf8");
    const read = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(status)?.[1]);
    return { voluntary: read("voluntary_ctxt_switches"), involuntary: read("nonvoluntary_ctxt_switches") };
  } catch {
    return null;
  }
}

/** This process's soft limit on open files (Linux; null elsewhere): each open stream holds a socket. */
function openFilesLimit(): number | null {
  try {
    const limits = readFileSync("/proc/self/limits", "utf8");
    const soft = /^Max open files\s+(\S+)/m.exec(limits)?.[1];
    return soft === undefined ? null : soft === "unlimited" ? Infinity : Number(soft);
  } catch {
    return null;
  }
}

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port <= 0) throw new Error("PORT must be set");
const maxAge = Number(process.env.BENCH_COOKIE_CACHE_MAX_AGE ?? 300);

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
pool.on("error", (err) => console.error("[bench-server] idle client error:", err.message));
const app = next({ dev: false, dir: process.cwd(), hostname: "127.0.0.1", port, quiet: true });
await app.prepare();
// Loaded after Next has set up its server environment: the modes run the app's gate, which
// imports next/server, and that needs Next's AsyncLocalStorage global in place first.
const { createGateFront, modeOfUrl, REJECT_BODY } = await import("./modes");
// better-auth's Redis mode gets a client of its own, as an app using @better-auth/redis-storage would.
const peerRedis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: 1 });
const front = createGateFront({ pool, cookieCacheMaxAge: maxAge, peerRedis });
const handle = app.getRequestHandler();

const server = http.createServer((req, res) => {
  stampClientAddress(req); // as server.ts does: the client address, from the socket and TRUST_PROXY
  const url = req.url ?? "/";
  if (url === "/__bench/stats" || url === "/__bench/stats?gc=1") {
    const gc = (globalThis as { gc?: () => void }).gc;
    const collected = url.endsWith("?gc=1") && typeof gc === "function";
    // Twice: the first pass runs finalizers that free more on the second.
    if (collected) for (let i = 0; i < 2; i++) gc();
    res.writeHead(200, { "content-type": "application/json" });
    const cpu = process.cpuUsage();
    const mem = process.memoryUsage();
    res.end(
      JSON.stringify({
        pgQueries,
        cpuUs: cpu.user + cpu.system,
        contextSwitches: contextSwitches(),
        rss: mem.rss,
        heapUsed: mem.heapUsed,
        external: mem.external,
        collected,
        // The event streams this process holds (src/lib/sessions/event-stream.ts keeps them on globalThis).
        openStreams: (globalThis as { __revocableStreams?: { all: Set<unknown> } }).__revocableStreams?.all.size ?? 0,
        openFilesLimit: openFilesLimit(),
      }),
    );
    return;
  }
  if (url.startsWith("/__bench/timing/")) {
    const t = timings.get(decodeURIComponent(url.slice("/__bench/timing/".length)));
    res.writeHead(t ? 200 : 404, { "content-type": "application/json" });
    res.end(JSON.stringify(t ?? null));
    return;
  }
  const timingId = req.headers["x-bench-timing"];
  if (typeof timingId === "string") {
    const t: Tracked = {
      timing: { wallMs: 0, pgMs: 0, pgStatements: 0, redisMs: 0, redisCommands: [], redisCommandMs: [], nodeMs: 0, done: false },
      start: performance.now(),
      pg: [],
      redis: [],
    };
    if (timings.size > 1000) timings.clear();
    timings.set(timingId, t.timing);
    res.once("finish", () => {
      const end = performance.now();
      Object.assign(t.timing, {
        wallMs: end - t.start,
        pgMs: covered(t.pg, t.start, end),
        redisMs: covered(t.redis, t.start, end),
        nodeMs: end - t.start - covered([...t.pg, ...t.redis], t.start, end),
        done: true,
      });
    });
    timed.run(t, () => void handle(req, res));
    return;
  }
  const mode = modeOfUrl(url);
  if (!mode) {
    void handle(req, res);
    return;
  }
  front.decide(mode, req.headers.cookie).then(
    (decision) => {
      if (decision.setCookie.length) res.setHeader("set-cookie", decision.setCookie);
      if (decision.kind === "reject") {
        res.writeHead(decision.status, { "content-type": "application/json" });
        res.end(REJECT_BODY);
        return;
      }
      req.url = decision.path;
      void handle(req, res);
    },
    (err: unknown) => {
      console.error("[bench-server] check failed:", (err as Error).message);
      res.writeHead(500, { "content-type": "text/plain" });
      res.end("check failed");
    },
  );
});
server.keepAliveTimeout = 30_000;

server.listen(port, "127.0.0.1", () => console.info(`BENCH_SERVER_READY ${port} pid=${process.pid}`));

async function shutdown() {
  server.close();
  await app.close().catch(() => {});
  await pool.end().catch(() => {});
  peerRedis.disconnect();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown());
process.on("SIGINT", () => void shutdown());
