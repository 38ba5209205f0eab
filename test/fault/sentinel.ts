// A Redis master, one replica and three sentinels of the suite's own on loopback ports (no
// persistence), for the failover fault: the master is killed (or handed over with SENTINEL
// FAILOVER), the sentinels promote the replica, and the old master comes back, empty, as
// the new master's replica. There is no redis-sentinel binary here: `redis-server <conf>
// --sentinel` is the same program.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { freePort } from "../support/ports";
import { waitForPing } from "../support/redis-server";

export const MASTER_NAME = "fault";

function redisServer(args: string[]): ChildProcess {
  const proc = spawn("redis-server", args, { stdio: "ignore" });
  proc.on("error", () => {});
  return proc;
}

async function killed(proc: ChildProcess | undefined): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    proc.once("exit", () => resolve());
    proc.kill("SIGKILL");
  });
}

async function ask<T>(port: number, fn: (c: Redis) => Promise<T>): Promise<T> {
  const c = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  c.on("error", () => {});
  try {
    await c.connect();
    return await fn(c);
  } finally {
    c.disconnect();
  }
}

export class SentinelGroup {
  /** Data nodes by port (the master and its replica; they swap roles on failover). */
  private readonly nodes = new Map<number, ChildProcess>();
  private readonly sentinels: ChildProcess[] = [];
  private readonly killOnExit = () => {
    for (const p of [...this.nodes.values(), ...this.sentinels]) p.kill("SIGKILL");
  };
  master: number;

  private constructor(
    readonly dir: string,
    readonly dataPorts: [number, number],
    readonly sentinelPorts: number[],
  ) {
    this.master = dataPorts[0];
  }

  /** What the app is given: REDIS_SENTINELS and REDIS_SENTINEL_NAME. */
  get env(): Record<string, string> {
    return { REDIS_SENTINELS: this.sentinelPorts.map((p) => `127.0.0.1:${p}`).join(","), REDIS_SENTINEL_NAME: MASTER_NAME };
  }

  get replica(): number {
    return this.dataPorts[0] === this.master ? this.dataPorts[1] : this.dataPorts[0];
  }

  static async start(): Promise<SentinelGroup> {
    const dir = await mkdtemp(path.join(os.tmpdir(), "revocable-sentinel-"));
    const dataPorts: [number, number] = [await freePort(), await freePort()];
    const sentinelPorts = [await freePort(), await freePort(), await freePort()];
    const group = new SentinelGroup(dir, dataPorts, sentinelPorts);
    process.once("exit", group.killOnExit);
    group.startNode(dataPorts[0]);
    await waitForPing(dataPorts[0]);
    group.startNode(dataPorts[1], dataPorts[0]);
    await waitForPing(dataPorts[1]);
    await group.waitForSync(dataPorts[1]);
    for (const port of sentinelPorts) {
      const conf = path.join(dir, `sentinel-${port}.conf`);
      // Quick to judge the master down (1 s) and to retry a failover; quorum 2 of 3.
      await writeFile(
        conf,
        [
          `port ${port}`,
          "bind 127.0.0.1",
          `dir ${dir}`,
          `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${dataPorts[0]} 2`,
          `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
          `sentinel failover-timeout ${MASTER_NAME} 4000`,
          `sentinel parallel-syncs ${MASTER_NAME} 1`,
          "",
        ].join("\n"),
      );
      group.sentinels.push(redisServer([conf, "--sentinel"]));
    }
    for (const port of sentinelPorts) await waitForPing(port);
    await group.waitForSentinels(dataPorts[0], true);
    return group;
  }

  private startNode(port: number, replicaOf?: number): void {
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", this.dir];
    if (replicaOf) args.push("--replicaof", "127.0.0.1", String(replicaOf));
    this.nodes.set(port, redisServer(args));
  }

  /** Until the replica on `port` has finished its sync with its master. */
  private async waitForSync(port: number, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const info = await ask(port, (c) => c.info("replication")).catch(() => "");
      if (/master_link_status:up/.test(info)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`replica ${port} did not sync`);
  }

  /** Until every sentinel names `master` (and, with `replicaKnown`, knows one replica). */
  private async waitForSentinels(master: number, replicaKnown = false, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const views = await Promise.all(
        this.sentinelPorts.map((p) =>
          ask(p, async (c) => {
            const addr = (await c.call("SENTINEL", "get-master-addr-by-name", MASTER_NAME)) as string[] | null;
            const replicas = replicaKnown ? ((await c.call("SENTINEL", "replicas", MASTER_NAME)) as unknown[]).length : 1;
            return addr?.[1] === String(master) && replicas >= 1;
          }).catch(() => false),
        ),
      );
      if (views.every(Boolean)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`sentinels did not agree on master ${master}`);
  }

  /**
   * Promotes the replica. "kill": the master is SIGKILLed (the sentinels notice after 1 s,
   * elect a leader, promote). "manual": SENTINEL FAILOVER, the master is alive and demoted.
   * Resolves once every sentinel names the new master; the old one is then started again,
   * empty, as its replica (`heal`).
   */
  async failover(style: "kill" | "manual"): Promise<{ from: number; to: number }> {
    const from = this.master;
    const to = this.replica;
    if (style === "kill") {
      await killed(this.nodes.get(from));
      this.nodes.delete(from);
    } else {
      await ask(this.sentinelPorts[0]!, (c) => c.call("SENTINEL", "failover", MASTER_NAME));
    }
    await this.waitForSentinels(to);
    // The promoted node answers as a master.
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !/role:master/.test(await ask(to, (c) => c.info("replication")).catch(() => ""))) {
      await new Promise((r) => setTimeout(r, 50));
    }
    this.master = to;
    return { from, to };
  }

  /** After a failover: the old master (killed, or demoted) is a synced replica again. */
  async heal(): Promise<void> {
    const replica = this.replica;
    if (!this.nodes.has(replica)) {
      this.startNode(replica, this.master);
      await waitForPing(replica);
    } else if (/role:master/.test(await ask(replica, (c) => c.info("replication")).catch(() => ""))) {
      // A demoted master the sentinels have not reconfigured yet: what they would send it.
      await ask(replica, (c) => c.replicaof("127.0.0.1", this.master));
    }
    await this.waitForSync(replica);
    await this.waitForSentinels(this.master, true);
  }

  async stop(): Promise<void> {
    process.off("exit", this.killOnExit);
    await Promise.all([...this.nodes.values(), ...this.sentinels].map(killed));
    await rm(this.dir, { recursive: true, force: true });
  }
}
