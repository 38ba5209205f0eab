// Runs schedules against real processes: the app instances (fleet.ts), the suite's own Redis
// (standalone, one relay per instance) or Sentinel group, with the workload (workload.ts)
// doing the operations and background probers sending requests with every session's
// cookie to random instances all along. The checker (checker.ts) judges what was recorded.
import { BOUND_MS, checkLiveness, type LivenessResult } from "./checker";
import type { AppInstance, Fleet } from "./fleet";
import type { Op, Schedule } from "./schedule";
import type { OwnRedis } from "../support/redis-server";
import type { SentinelGroup } from "./sentinel";
import { type TrackedSession, type TrackedUser, Workload } from "./workload";

/** How long after the faults heal every session never revoked must be accepted again. */
export const CONVERGENCE_DEADLINE_MS = 20_000;
/** Requests in flight from the background probers at any time. */
const PROBERS = 2;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Topology {
  fleet: Fleet;
  redis?: OwnRedis;
  sentinel?: SentinelGroup;
}

export interface ScheduleOutcome {
  liveness: LivenessResult;
  /** Faults injected, by kind (a partition followed by a kill counts both). */
  faults: string[];
  operations: number;
  requests: number;
  log: string[];
}

export class Runner {
  private users: TrackedUser[] = [];
  private log: string[] = [];
  private t0 = 0;

  constructor(
    private readonly topo: Topology,
    private readonly work: Workload,
  ) {}

  private note(line: string): void {
    this.log.push(`+${Math.round(performance.now() - this.t0)}ms ${line}`);
  }

  private sessions(): TrackedSession[] {
    return this.users.flatMap((u) => u.sessions);
  }

  /** The instance an operation asked for, or another live one if it is down. */
  private instance(i: number): AppInstance {
    const inst = this.topo.fleet.instances[i]!;
    if (inst.server) return inst;
    const alive = this.topo.fleet.alive();
    if (!alive.length) throw new Error("no instance alive");
    return alive[i % alive.length]!;
  }

  private async probers(stop: { done: boolean }): Promise<void> {
    let n = 0;
    const loop = async (k: number) => {
      while (!stop.done) {
        const all = this.sessions();
        const alive = this.topo.fleet.alive();
        if (!all.length || !alive.length) {
          await sleep(20);
          continue;
        }
        // Half the probes replay sessions that were (or may have been) ended: that is where
        // a broken promise shows.
        const gone = all.filter((s) => s.state !== "live");
        const pool = gone.length && (n++ + k) % 2 === 0 ? gone : all;
        const s = pool[Math.floor(Math.random() * pool.length)]!;
        const inst = alive[Math.floor(Math.random() * alive.length)]!;
        await this.work.probe(s, inst);
        await sleep(25); // leaves the cores to the instances (a restart is slow on a busy machine)
      }
    };
    await Promise.all(Array.from({ length: PROBERS }, (_, k) => loop(k)));
  }

  private async op(op: Op, inst: AppInstance): Promise<void> {
    const user = this.users[op.user]!;
    const live = user.sessions.filter((s) => s.state === "live");
    const pickFrom = <T>(list: T[], r: number) => list[Math.floor(r * list.length)];
    const actor = pickFrom(live, op.pick);
    if (op.kind === "sign-in" || !actor) {
      const s = await this.work.signIn(user, inst);
      this.note(`sign-in ${user.key} on ${inst.name}: ${s ? s.key : "failed"}`);
      return;
    }
    switch (op.kind) {
      case "revoke-one": {
        const target = pickFrom(
          live.filter((s) => s !== actor && s.id !== null),
          op.pick2,
        );
        if (!target) return this.note(`revoke-one ${user.key}: no target`);
        const status = await this.work.revokeOne(actor, target, inst);
        return this.note(`revoke-one ${target.key} by ${actor.key} on ${inst.name}: ${status}`);
      }
      case "revoke-all": {
        const status = await this.work.revokeAll(actor, inst, op.withPassword);
        return this.note(`revoke-all by ${actor.key} on ${inst.name}${op.withPassword ? " (password)" : ""}: ${status}`);
      }
      case "sign-out": {
        const status = await this.work.signOut(actor, inst);
        return this.note(`sign-out ${actor.key} on ${inst.name}: ${status}`);
      }
      case "password-change": {
        const status = await this.work.changePassword(actor, inst);
        return this.note(`password-change by ${actor.key} on ${inst.name}: ${status}`);
      }
    }
  }

  private async ops(list: Op[], onTarget?: (inst: AppInstance, running: Promise<void>) => Promise<void>): Promise<void> {
    for (const op of list) {
      await sleep(op.gapMs);
      const inst = this.instance(op.instance);
      const running = this.op(op, inst);
      if (onTarget) await onTarget(inst, running);
      await running;
    }
  }

  async run(index: number, schedule: Schedule): Promise<ScheduleOutcome> {
    const { fleet, redis, sentinel } = this.topo;
    this.t0 = performance.now();
    this.log = [];
    this.work.rec.schedule = index;
    const faults: string[] = [];
    const counts = () => {
      const requests = this.work.rec.operations.get("request") ?? 0;
      return { requests, operations: [...this.work.rec.operations.values()].reduce((a, b) => a + b, 0) - requests };
    };
    const before = counts();
    this.users = await this.work.createUsers(schedule.signIns.length, `f${schedule.seed}-`);
    // Users sign in side by side (each user's sessions one after another, in order).
    await Promise.all(
      schedule.signIns.map(async (instances, u) => {
        for (const i of instances) {
          const inst = this.instance(i);
          const s = await this.work.signIn(this.users[u]!, inst);
          this.note(`sign-in ${this.users[u]!.key} on ${inst.name}: ${s ? s.key : "failed"}`);
        }
      }),
    );
    const stop = { done: false };
    const probing = this.probers(stop);
    try {
      await this.ops(schedule.before);
      const target = fleet.instances[schedule.target]!;
      let failingOver: Promise<unknown> | null = null;
      const kind = schedule.kind;
      this.note(`fault ${kind} on ${kind.startsWith("partition") || kind === "kill-mid-op" ? target.name : "redis"}`);
      faults.push(kind);
      if (kind.startsWith("partition")) await target.relay!.cut(schedule.cutStyle);
      if (kind === "redis-restart") await redis!.stop();
      if (kind === "failover-kill" || kind === "failover-manual") {
        failingOver = sentinel!.failover(kind === "failover-kill" ? "kill" : "manual").then((r) => this.note(`failover ${r.from} -> ${r.to}`));
      }
      let killed = false;
      await this.ops(
        schedule.during,
        kind === "kill-mid-op"
          ? async (inst) => {
              if (killed || inst !== target) return;
              await sleep(schedule.killAfterMs);
              killed = true;
              await fleet.kill(target);
              this.note(`SIGKILL ${target.name} mid-operation`);
            }
          : undefined,
      );
      if (kind === "kill-mid-op" && !killed) {
        await fleet.kill(target);
        this.note(`SIGKILL ${target.name}`);
      }
      if (kind === "partition-then-kill") {
        await fleet.kill(target);
        this.note(`SIGKILL ${target.name} (partitioned)`);
      }
      await sleep(schedule.holdMs);
      // Heal.
      if (kind.startsWith("partition")) {
        await target.relay!.restore();
        this.note(`restored ${target.name}'s Redis link`);
      }
      if (kind === "partition-then-kill") {
        // Redis is reachable again, the instance that queued the removals is gone.
        await sleep(schedule.downAfterHealMs);
      }
      if (kind === "redis-restart") {
        await redis!.start();
        this.note("redis started again, empty");
      }
      if (failingOver) {
        await failingOver;
        await sentinel!.heal();
        this.note("old master back as a replica");
      }
      if (!target.server) {
        await fleet.restart(target);
        this.note(`${target.name} started again`);
      }
      const healedAt = performance.now();
      this.note("healed");
      await this.ops(schedule.after);
      // Liveness: every session never revoked is accepted again, on every instance.
      const live = this.sessions().filter((s) => s.state === "live");
      await Promise.all(
        live.flatMap((s) =>
          fleet.instances.map(async (inst) => {
            while (performance.now() - healedAt < CONVERGENCE_DEADLINE_MS) {
              if ((await this.work.probe(s, inst)) === 200) return;
              await sleep(100);
            }
          }),
        ),
      );
      const liveness = checkLiveness(
        this.work.rec.requests.filter((r) => r.schedule === index),
        live.map((s) => s.key),
        fleet.instances.map((i) => i.name),
        healedAt,
        CONVERGENCE_DEADLINE_MS,
      );
      stop.done = true;
      await probing;
      // Revoked stays revoked, on every instance, after everything healed.
      const lastAck = Math.max(0, ...this.work.rec.revocations.filter((r) => r.schedule === index).map((r) => r.at));
      await sleep(Math.max(0, lastAck + BOUND_MS + 100 - performance.now()));
      const ended = this.sessions().filter((s) => s.state === "ended");
      await Promise.all(ended.flatMap((s) => fleet.instances.map((inst) => this.work.probe(s, inst))));
      const after = counts();
      return { liveness, faults, operations: after.operations - before.operations, requests: after.requests - before.requests, log: this.log };
    } finally {
      stop.done = true;
      await probing;
    }
  }
}
