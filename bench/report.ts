// The run's results: the JSON written to bench/results/ (every raw figure) and the plain-text
// tables printed at the end, with each target met or missed.
import { TARGETS } from "./config";
import type { ListFigure } from "./figures/list";
import type { LiveFigure } from "./figures/live";
import type { BearerFigure } from "./figures/bearer";
import type { DevicePollFigure } from "./figures/device-poll";
import type { LocationFigure } from "./figures/location";
import type { MemoryRow } from "./figures/memory";
import type { ModesFigure } from "./figures/modes";
import type { PeerScenarios } from "./figures/peer-scenarios";
import type { RevokeAllFigure } from "./figures/revoke-all";
import type { ScalingFigure } from "./figures/scaling";
import type { SignInFigure } from "./figures/sign-in";

export function table(headers: string[], rows: (string | number)[][], alignLeft = 1): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? "").length)));
  const line = (r: string[]) =>
    r.map((v, c) => (c < alignLeft ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join("  ");
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

export const fmt = {
  int: (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "-"),
  ms: (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : "-"),
  signedMs: (n: number, digits = 2) => (Number.isFinite(n) ? `${n >= 0 ? "+" : ""}${n.toFixed(digits)}` : "-"),
  ratio: (n: number) => (Number.isFinite(n) ? `${(n * 100).toFixed(0)}%` : "-"),
  num: (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "-"),
};

export function verdict(ok: boolean): string {
  return ok ? "MET " : "MISSED";
}

export interface Report {
  profile: string;
  modes: ModesFigure;
  revokeAll: RevokeAllFigure;
  list: ListFigure;
  memory: MemoryRow[];
  location: LocationFigure;
  /** Absent in results from before native clients. */
  bearer?: BearerFigure;
  devicePoll?: DevicePollFigure;
  signIn: SignInFigure;
  live: LiveFigure[];
  scaling: ScalingFigure;
  peerScenarios: PeerScenarios;
  buildChangedDuringRun: boolean;
}

/** The correctness scenarios as one table: each question, our answer, the peer's. */
export function peerRows(p: PeerScenarios): string[][] {
  const yes = (b: boolean) => (b ? "yes" : "NO");
  const statuses = (s: Record<string, number>) => Object.entries(s).map(([k, v]) => `${v}×${k}`).join(" ");
  const a = (o: PeerScenarios["ours"]) => o.concurrentSignIns;
  const b = (o: PeerScenarios["ours"]) => o.revokeAllThenSignIn;
  const c = (o: PeerScenarios["ours"]) => o.redisFlushed;
  const row = (scenario: string, question: string, f: (o: PeerScenarios["ours"]) => string) => [scenario, question, f(p.ours), f(p.peer)];
  return [
    row(`(a) ${p.signIns} simultaneous sign-ins (×${p.signInRounds})`, "sign-in answers (first round)", (o) => statuses(a(o).statuses)),
    row("", "live / listed before revoke-others (all rounds)", (o) => `${a(o).liveBeforeRevoke} / ${a(o).listedBeforeRevoke}`),
    row("", "rounds where > 1 session survived revoke-others", (o) => `${a(o).roundsWithSurvivors}/${a(o).rounds} (max ${a(o).maxSurvivors})`),
    row("", "rounds where listed = valid", (o) => `${a(o).roundsListedMatchesValid}/${a(o).rounds}`),
    row(`(b) revoke-all, then sign-in (×${p.revokeAllTrials})`, "old session refused", (o) => `${b(o).oldRefused}/${b(o).trials}`),
    row("", "new session valid", (o) => `${b(o).newValid}/${b(o).trials}`),
    row("", "new session listed", (o) => `${b(o).newListed}/${b(o).trials}`),
    row(`(b') revoke-all and sign-in at once (×${p.revokeAllTrials})`, "new session valid / listed", (o) => `${o.revokeAllWithSignIn.newValid} / ${o.revokeAllWithSignIn.newListed}`),
    row("", "valid = listed (either order is correct)", (o) => `${o.revokeAllWithSignIn.validAndListedAgree}/${o.revokeAllWithSignIn.trials}`),
    row("(c) Redis flushed (2 live, 1 revoked)", "listed right after (want 2)", (o) => (c(o).listedAfterFlush === null ? "refused (signed out)" : String(c(o).listedAfterFlush))),
    row("", "live sessions still valid", (o) => `${c(o).stillValid}/${c(o).live}`),
    row("", "logged out by the flush", (o) => String(c(o).loggedOut)),
    row("", "revoked session stays revoked", (o) => yes(c(o).revokedStaysRevoked)),
  ];
}

/** Revoke-all's targets: one Redis round trip for the revoke itself, flat in n, < 10 ms at 1,000. */
function revokeAllChecks(rv: RevokeAllFigure): [string, boolean, string][] {
  const first = rv.sizes[0]!;
  const last = rv.sizes.at(-1)!;
  // END_ALL_BUT is the index's only 4-key script; the proxy's check (3 keys) and a touch
  // it may start (1 key) are the request's other Redis calls.
  const endAllBut = last.redisCommands.filter((c) => c === "evalsha/4 keys").length;
  const checks: [string, boolean, string][] = [
    [
      `revoke-all ${fmt.int(last.sessions)}: one script call for the revoke`,
      endAllBut === 1,
      `${last.redisCommands.join(", ")}; ${last.postgresStatements} SQL`,
    ],
    [
      `revoke-all flat: ${fmt.int(first.sessions)} ... ${fmt.int(last.sessions)} within ${rv.targets.flatness}x`,
      rv.operationFlatness <= rv.targets.flatness,
      `${fmt.num(rv.operationFlatness, 2)}x (${rv.sizes.map((x) => fmt.ms(x.operationMs.median, 1)).join(" / ")} ms)`,
    ],
    [
      `revoke-all over HTTP flat: within ${rv.targets.flatness}x`,
      rv.flatness <= rv.targets.flatness,
      `${fmt.num(rv.flatness, 2)}x (${rv.sizes.map((x) => fmt.ms(x.endToEndMs.median, 1)).join(" / ")} ms)`,
    ],
  ];
  if (rv.at1000Ms !== null) {
    checks.push([
      `revoke-all 1,000: < ${rv.targets.at1000Ms} ms end to end (statement + script)`,
      rv.at1000Ms < rv.targets.at1000Ms,
      `${fmt.ms(rv.at1000Ms)} ms`,
    ]);
  }
  if (rv.at1000OverHttpMs !== null) {
    checks.push([
      `revoke-all 1,000 over HTTP: < ${rv.targets.at1000Ms} ms`,
      rv.at1000OverHttpMs < rv.targets.at1000Ms,
      `${fmt.ms(rv.at1000OverHttpMs)} ms; the same request without the revoke: ${fmt.ms(rv.at1000BaselineMs ?? NaN)} ms`,
    ]);
  }
  return checks;
}

/** Revoke-all over HTTP by size: end to end, and the server's time split by store. */
export function printRevokeAll(rv: RevokeAllFigure) {
  console.log(
    `\nRevoke-all (medians of ${rv.sizes[0]?.trials} trials; operation = revokeAllSessions() in the bench process, ` +
      `its statement + its script + the Node between them; over HTTP = POST /api/sessions/revoke {"all":true}; baseline = the same request answered 400 before the revoke, ` +
      `same trial; revoke itself = its SQL statement + its Redis script, timed on the server; server time split by store in bench/server.ts; ` +
      `commit = a trivial commit just before, quiet ${fmt.ms(rv.quietCommitMs)} ms)\n`,
  );
  console.log(
    table(
      ["sessions", "operation ms", "min / max", "over HTTP ms", "min / max", "baseline ms", "above baseline", "revoke itself", "server ms", "Postgres ms", "Redis ms", "Node ms", "script in Redis ms", "commit ms", "old cookies refused"],
      rv.sizes.map((x) => [
        fmt.int(x.sessions),
        fmt.ms(x.operationMs.median),
        `${fmt.ms(x.operationMs.min)} / ${fmt.ms(x.operationMs.max)}`,
        fmt.ms(x.endToEndMs.median),
        `${fmt.ms(x.endToEndMs.min)} / ${fmt.ms(x.endToEndMs.max)}`,
        fmt.ms(x.baselineEndToEndMs.median),
        fmt.ms(x.aboveBaselineMs.median),
        fmt.ms(x.revokeItselfMs.median),
        fmt.ms(x.serverMs.median),
        fmt.ms(x.postgresMs.median),
        fmt.ms(x.redisMs.median),
        fmt.ms(x.nodeMs.median),
        x.scriptExecMs ? fmt.ms(x.scriptExecMs.median, 3) : "-",
        fmt.ms(x.commitProbeMs.median),
        x.oldCookiesRefused,
      ]),
    ),
  );
}

/** Live sign-out: one row per size and number of instances. */
export function printLive(live: LiveFigure[]): void {
  console.log(
    "\nLive sign-out: revoke answered -> session.ended on the revoked stream (ms), with N streams open; " +
      "memory per stream on the server holding them, after a full GC; CPU of that server while idle (heartbeats)\n",
  );
  console.log(
    table(
      ["streams", "instances", "revoked", "missed", "p50 ms", "p99 ms", "max ms", "RSS B/stream", "heap B/stream", "external B/stream", "idle CPU", "seed s", "open s"],
      live.map((x) => [
        fmt.int(x.streams),
        x.instances === 2 ? "2 (via Redis)" : "1",
        x.revocations < x.streams ? `${fmt.int(x.revocations)} (every ${fmt.num(x.streams / x.revocations, 0)}th)` : fmt.int(x.revocations),
        x.missed,
        fmt.ms(x.p50),
        fmt.ms(x.p99),
        fmt.ms(x.max),
        fmt.int(x.rssBytesPerStream),
        fmt.int(x.heapBytesPerStream),
        fmt.int(x.externalBytesPerStream),
        `${fmt.num(x.idleCpuPercent)}%`,
        fmt.num(x.seedSeconds, 1),
        fmt.num(x.openSeconds, 1),
      ]),
    ),
  );
}

/** `only`: the run was limited to those sections (--only); print just what they measured. */
export function print(r: Report, only?: string[] | null) {
  if (only && !only.includes("modes")) {
    if (only.includes("revokeAll") && r.revokeAll) {
      printRevokeAll(r.revokeAll);
      const checks = revokeAllChecks(r.revokeAll);
      console.log(`\n${table(["target", "result", "figure"], checks.map(([name, ok, fig]) => [name, verdict(ok), fig]), 2)}`);
    }
    if (only.includes("live") && r.live) {
      printLive(r.live);
      for (const x of r.live) {
        const ok = x.p99 < TARGETS.liveP99Ms && x.missed === 0;
        console.log(`${verdict(ok)}  ${fmt.int(x.streams)} streams on ${x.instances} instance(s): p99 ${fmt.ms(x.p99)} ms < ${TARGETS.liveP99Ms} ms, ${x.missed} missed`);
      }
    }
    console.log(`\n(--only ${only.join(",")}: the other sections' figures in the file are from earlier runs)`);
    return;
  }
  const m = r.modes;
  console.log(`\nThe same protected route under each check — ${m.route}`);
  console.log(
    `${fmt.int(m.sessionsInStores)} sessions in Postgres and Redis, ${m.distinctCookies} distinct cookies. req/s: saturated; ` +
      `p50/p99: one request at a time (1 connection), over all ${r.modes.latency.rounds} interleaved rounds. Ratios against baseline (1).\n`,
  );
  console.log(
    table(
      ["mode", "req/s", "× base", "CPU µs/req", "ΔCPU", "p50 ms", "× base", "Δp50", "p99 ms", "× base", "Δp99", "Redis RT/req", "SQL/req", "stale reqs", "stale ms"],
      m.summary.map((s) => [
        s.label,
        fmt.int(s.requestsPerSecond),
        fmt.ratio(s.throughputRatio),
        fmt.int(s.serverCpuUsPerRequest),
        fmt.signedMs(s.serverCpuDeltaUs, 0),
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
    `\nStaleness: requests still served after the revoke (one every ${r.modes.summary[0]!.staleness.paceMs} ms) and time to the first refusal. ` +
      `The cookie cache's is bounded by its maxAge, ${m.cookieCacheMaxAgeSeconds} s in this run (better-auth's default: 300 s).`,
  );
  const idx = m.summary.find((s) => s.mode === "index")!;
  const ba = m.summary.find((s) => s.mode === "better-auth")!;
  const cc = m.summary.find((s) => s.mode === "cookie-cache")!;
  const mem = r.memory.find((x) => x.sessionsPerUser === 3) ?? r.memory[0]!;
  const memWorst = Math.max(...r.memory.map((x) => x.bytesPerSession));
  const checks: [string, boolean, string][] = [
    ["proxy p50 overhead ≤ +0.5 ms", idx.p50DeltaMs <= TARGETS.p50OverheadMs, `${fmt.signedMs(idx.p50DeltaMs)} ms`],
    ["proxy p99 overhead ≤ +2 ms", idx.p99DeltaMs <= TARGETS.p99OverheadMs, `${fmt.signedMs(idx.p99DeltaMs)} ms`],
    ["proxy throughput ≥ 85% of baseline", idx.throughputRatio >= TARGETS.throughputRatio, fmt.ratio(idx.throughputRatio)],
    ["proxy faster than better-auth's database getSession", idx.requestsPerSecond > ba.requestsPerSecond && idx.p50 < ba.p50, `${fmt.int(idx.requestsPerSecond)} vs ${fmt.int(ba.requestsPerSecond)} req/s`],
    ["proxy staleness zero (cookie cache: up to maxAge)", idx.staleness.rejected && idx.staleness.staleRequests === 0, `${idx.staleness.staleRequests} vs ${cc.staleness.staleRequests} requests / ${fmt.ms(cc.staleness.staleMs ?? NaN, 0)} ms`],
    ...revokeAllChecks(r.revokeAll),
    [`list ${r.list.sessions}: one round trip, no SQL`, r.list.roundTrips === 1 && r.list.sqlStatements === 0, `${r.list.roundTrips} round trip, ${r.list.sqlStatements} SQL`],
    ["Redis memory per session < 512 B", memWorst < TARGETS.bytesPerSession, `${fmt.int(mem.bytesPerSession)} B at 3/user, ${fmt.int(memWorst)} B worst`],
    ...r.live.map((x): [string, boolean, string] => [
      `live sign-out, ${fmt.int(x.streams)} streams${x.instances === 2 ? ", 2 instances" : ""}: revoke -> session.ended p99 < 100 ms`,
      x.p99 < TARGETS.liveP99Ms && x.missed === 0,
      `p50 ${fmt.ms(x.p50)} ms, p99 ${fmt.ms(x.p99)} ms over ${fmt.int(x.revocations)} revocations (${x.missed} missed); ${fmt.int(x.rssBytesPerStream)} B RSS/stream`,
    ]),
  ];
  console.log(`\nTargets (docs/benchmarks.md)\n`);
  console.log(table(["target", "result", "figure"], checks.map(([name, ok, fig]) => [name, verdict(ok), fig]), 2));

  console.log(`\nMicro-figures (Redis round trips observed with MONITOR; SQL counted at the driver)\n`);
  console.log(
    table(
      ["figure", "round trips", "SQL", "median ms", "max ms", "note"],
      [
        [`list, ${r.list.sessions} sessions`, r.list.roundTrips, r.list.sqlStatements, fmt.ms(r.list.ms.median), fmt.ms(r.list.ms.p99), `over HTTP: ${r.list.overHttp.redisRoundTrips} RT, ${r.list.overHttp.sqlStatements} SQL`],
        ...r.memory.map((x) => [`memory, ${x.sessionsPerUser} session(s)/user`, "", "", "", "", `${fmt.int(x.bytesPerSession)} B/session (used_memory Δ ${fmt.int(x.usedMemoryDeltaPerSession)} B)`]),
        [
          `location lookup, ${fmt.int(r.location.lookups)} addresses`,
          "",
          "",
          fmt.ms(r.location.lookupUs.p50 / 1000, 3),
          fmt.ms(r.location.lookupUs.p99 / 1000, 3),
          `p50 ${fmt.num(r.location.lookupUs.p50, 1)} µs/lookup = ${fmt.num(r.location.ratioToUserAgent, 2)}× parseUserAgent (${fmt.num(r.location.userAgentUs.p50, 1)} µs), Map.get ${fmt.num(r.location.mapGetUs.p50, 2)} µs; mean ${fmt.num(r.location.lookupUs.mean, 1)} µs; opened in ${fmt.ms(r.location.openMs, 1)} ms; ${fmt.int(r.location.located)} placed`,
        ],
        ...(r.bearer
          ? [
              [
                `bearer vs cookie check, ${fmt.int(r.bearer.checks)} each`,
                "1",
                "0",
                fmt.ms(r.bearer.bearerUs.p50 / 1000, 3),
                "",
                `bearer p50 ${fmt.num(r.bearer.bearerUs.p50, 1)} µs = ${fmt.num(r.bearer.ratio, 2)}× cookie p50 ${fmt.num(r.bearer.cookieUs.p50, 1)} µs (proxy gate in process)`,
              ],
            ]
          : []),
        ...(r.devicePoll
          ? [
              [`device-code poll, pending (${fmt.int(r.devicePoll.polls)})`, "", fmt.num(r.devicePoll.pending.sqlPerPoll, 1), fmt.ms(r.devicePoll.pending.p50Ms, 2), "", "authorization_pending: look-up + last-polled stamp"],
              [`device-code poll, too soon (${fmt.int(r.devicePoll.polls)})`, "", fmt.num(r.devicePoll.slowDown.sqlPerPoll, 1), fmt.ms(r.devicePoll.slowDown.p50Ms, 2), "", "slow_down: look-up only"],
            ]
          : []),
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
  printRevokeAll(r.revokeAll);
  console.log(
    "\nScaling: our gate vs baseline as Redis grows (req/s saturated; p50/p99 one request at a time; " +
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
  console.log(
    "\nCorrectness side by side: ours (HTTP routes, every limit on: 10 sign-ins per account per 15 min, 3 sessions per user) " +
      "and better-auth with Redis secondaryStorage (its api, sessions in Redis only), same run, same Redis and Postgres\n",
  );
  console.log(table(["scenario", "question", "ours", "better-auth Redis"], peerRows(r.peerScenarios), 2));
  printLive(r.live);
  if (r.buildChangedDuringRun) console.log("\nWARNING: .next was rebuilt by someone else during the run; rerun for clean figures.");
}
