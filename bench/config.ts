// Sizes and durations of a bench run. `full` is what bench/results/latest.json holds; `smoke`
// runs every code path at tiny sizes so CI notices when the benchmark rots.

export interface Profile {
  name: "full" | "smoke";
  /** Sessions in Postgres and Redis while the modes are compared (3 per user). */
  baseSessions: number;
  /** Distinct sessions the load generator cycles through. */
  loadSessions: number;
  /** Load generator connections for the saturation runs (throughput). */
  connections: number;
  warmupSeconds: number;
  saturationSeconds: number;
  /** Latency runs: one connection, one request at a time (service time, no queueing). */
  latencySeconds: number;
  /** Interleaved rounds per mode (short slices, the mode order rotating): throughput is the
   *  median over rounds, latency percentiles are over every response of every round. */
  rounds: number;
  /** Sequential requests per mode while counting Redis commands and SQL statements. */
  probeRequests: number;
  /** better-auth cookie cache maxAge (s) in the cookie-cache mode: its staleness bound. */
  cookieCacheMaxAge: number;
  /** Pause between staleness probes (ms). */
  stalenessPaceMs: number;
  /** Redis sizes for the scaling run (the proxy check must not slow down). */
  scalingSizes: number[];
  scalingSeconds: number;
  /** Sequential in-process checks (and bare GETs) per scaling size. */
  checkSamples: number;
  /** Interleaved rounds of rows 1 and 2 per scaling size. */
  scalingRounds: number;
  /** Sessions of the one user whose other sessions revoke-all ends (the first is kept). */
  revokeSizes: number[];
  /** Rounds over all revokeSizes (the order rotating); each trial seeds its own user. */
  revokeTrials: number;
  listSessions: number;
  listTrials: number;
  memorySessions: number;
  /** Accounts to sign in to: each takes SIGN_INS_PER_ACCOUNT sign-ins, within the per-account limit. */
  signInAccounts: number;
  signInSeconds: number;
  signInConnections: number;
  /** Simultaneous sign-ins for one user in the peer scenario (a). */
  peerSignIns: number;
  /** Rounds of scenario (a), one account each. */
  peerSignInRounds: number;
  /** Revoke-all-then-sign-in trials in the peer scenario (b), one account each. */
  peerRevokeAllTrials: number;
  /** Open event streams for the live sign-out figure, on one instance. */
  liveStreams: number[];
  /** The same across two instances: streams on a second server, revocations through the first. */
  liveTwoInstanceStreams: number[];
  /** Revocations per size, at most (a subset spread evenly over the streams when there are more). */
  liveRevocations: number;
  /** Seconds the streams sit open with no event while the server's CPU is read (heartbeats). */
  liveIdleSeconds: number;
  /** Location lookups of distinct addresses (more than the reader's 10,000-entry cache). */
  locationLookups: number;
}

export const PROFILES: Record<Profile["name"], Profile> = {
  full: {
    name: "full",
    baseSessions: 10_000,
    loadSessions: 200,
    connections: 10,
    warmupSeconds: 2,
    saturationSeconds: 2,
    latencySeconds: 1.5,
    rounds: 10,
    probeRequests: 50,
    cookieCacheMaxAge: 20,
    stalenessPaceMs: 10,
    scalingSizes: [10_000, 100_000, 1_000_000],
    scalingSeconds: 2,
    scalingRounds: 4,
    checkSamples: 20_000,
    revokeSizes: [10, 100, 1_000, 10_000, 100_000],
    revokeTrials: 7,
    listSessions: 50,
    listTrials: 20,
    memorySessions: 10_000,
    signInAccounts: 1_000,
    signInSeconds: 8,
    signInConnections: 4,
    peerSignIns: 20,
    peerSignInRounds: 10,
    peerRevokeAllTrials: 20,
    liveStreams: [1_000, 10_000],
    liveTwoInstanceStreams: [1_000, 10_000],
    liveRevocations: 1_000,
    liveIdleSeconds: 5,
    locationLookups: 50_000,
  },
  smoke: {
    name: "smoke",
    baseSessions: 300,
    loadSessions: 20,
    connections: 4,
    warmupSeconds: 0.3,
    saturationSeconds: 0.5,
    latencySeconds: 0.5,
    rounds: 1,
    probeRequests: 5,
    cookieCacheMaxAge: 2,
    stalenessPaceMs: 25,
    scalingSizes: [300, 1_000],
    scalingSeconds: 0.5,
    scalingRounds: 1,
    checkSamples: 1_000,
    revokeSizes: [10, 100],
    revokeTrials: 1,
    listSessions: 50,
    listTrials: 3,
    memorySessions: 1_000,
    signInAccounts: 40,
    signInSeconds: 1,
    signInConnections: 2,
    peerSignIns: 20,
    peerSignInRounds: 2,
    peerRevokeAllTrials: 3,
    liveStreams: [50],
    liveTwoInstanceStreams: [50],
    liveRevocations: 50,
    liveIdleSeconds: 1,
    locationLookups: 2_000,
  },
};

/** The figures the design has to reach (docs/benchmarks.md says why each matters). */
export const TARGETS = {
  p50OverheadMs: 0.5,
  p99OverheadMs: 2,
  throughputRatio: 0.85,
  revokeAllMs: 10,
  /** Revoke-all end to end: the slowest size's median over the fastest's, 10 ... 100,000. */
  revokeAllFlatness: 2,
  revokeAllRoundTrips: 1,
  listRoundTrips: 1,
  listDbQueries: 0,
  bytesPerSession: 512,
  liveP99Ms: 100,
} as const;
