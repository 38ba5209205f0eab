// Seeded, randomised schedules: which fault, on which instance, in which style, for how
// long, and which operations (from which sessions, on which instances) run before, during
// and after it. Everything a schedule does follows from its seed, so a failing schedule is
// replayed with FAULT_SEED=<its seed> FAULT_SCHEDULES=1 (timings on a real machine still vary).
import type { CutStyle } from "./relay";

export const FAULT_KINDS = [
  "partition-refuse", // one instance's Redis link cut, new connections refused
  "partition-blackhole", // cut, new connections accepted and never answered
  "partition-stall", // connections kept open, nothing moves until restored
  "partition-then-kill", // cut, then that instance SIGKILLed; link restored, instance down a while
  "kill-mid-op", // an instance SIGKILLed while an operation on it is in flight
  "redis-restart", // Redis killed and started again empty (no persistence)
  "failover-kill", // Sentinel: master SIGKILLed, replica promoted
  "failover-manual", // Sentinel: SENTINEL FAILOVER, replica promoted, master demoted
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export type Topology = "standalone" | "sentinel";

export function topologyOf(kind: FaultKind): Topology {
  return kind.startsWith("failover") ? "sentinel" : "standalone";
}

export type OpKind = "sign-in" | "revoke-one" | "revoke-all" | "sign-out" | "password-change";

export interface Op {
  kind: OpKind;
  user: number;
  /** Index into the topology's instances (the runner skips dead ones). */
  instance: number;
  /** Uniform [0, 1): picks the acting session and the target among those live when it runs. */
  pick: number;
  pick2: number;
  /** revoke-all: with the password rather than relying on a fresh sign-in. */
  withPassword: boolean;
  /** Pause before it (ms). */
  gapMs: number;
}

export interface Schedule {
  seed: number;
  kind: FaultKind;
  topology: Topology;
  /** The instance the fault hits (partition, kill). */
  target: number;
  cutStyle: CutStyle;
  /** Sessions per user, each signed in on the instance listed. */
  signIns: number[][];
  before: Op[];
  during: Op[];
  after: Op[];
  /** How long the fault stays after the last operation during it (ms). */
  holdMs: number;
  /** kill-mid-op: how long after the operation starts the instance is killed (ms). */
  killAfterMs: number;
  /** partition-then-kill: how long the killed instance stays down with the link restored (ms). */
  downAfterHealMs: number;
}

/** mulberry32: a small seeded PRNG (uniform [0, 1)). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A schedule's fault kind follows from its seed, so consecutive seeds cover every kind. */
export function kindOf(seed: number): FaultKind {
  return FAULT_KINDS[seed % FAULT_KINDS.length]!;
}

const OP_WEIGHTS: [OpKind, number][] = [
  ["revoke-one", 35],
  ["revoke-all", 20],
  ["sign-out", 15],
  ["sign-in", 20],
  ["password-change", 10],
];

export function generate(seed: number, instances: number): Schedule {
  const rand = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const kind = kindOf(seed);
  const target = int(0, instances - 1);
  const users = int(2, 3);
  const signIns = Array.from({ length: users }, () => Array.from({ length: int(2, 4) }, () => int(0, instances - 1)));
  const opKind = (): OpKind => {
    let r = rand() * 100;
    for (const [k, w] of OP_WEIGHTS) if ((r -= w) < 0) return k;
    return "revoke-one";
  };
  // Most operations during a fault go to the instance it hits: that is where they go wrong.
  const ops = (n: number, towardsTarget: number): Op[] =>
    Array.from({ length: n }, () => ({
      kind: opKind(),
      user: int(0, users - 1),
      instance: rand() < towardsTarget ? target : int(0, instances - 1),
      pick: rand(),
      pick2: rand(),
      withPassword: rand() < 0.5,
      gapMs: int(20, 250),
    }));
  const cutStyles: CutStyle[] = ["refuse", "blackhole", "stall"];
  return {
    seed,
    kind,
    topology: topologyOf(kind),
    target,
    cutStyle: kind === "partition-blackhole" ? "blackhole" : kind === "partition-stall" ? "stall" : kind === "partition-refuse" ? "refuse" : cutStyles[int(0, 2)]!,
    signIns,
    before: ops(int(0, 2), 0),
    during: ops(int(3, 7), 0.7),
    after: ops(int(0, 3), 0),
    holdMs: int(1_500, 3_000),
    killAfterMs: int(0, 60),
    downAfterHealMs: int(1_500, 2_500),
  };
}
