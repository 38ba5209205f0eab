// A real 3-master Redis Cluster on loopback ports, started and torn down by the test.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { freePort } from "./ports";
import { waitForPing } from "./redis-server";

const run = promisify(execFile);

export class OwnRedisCluster {
  private constructor(
    readonly ports: number[],
    private readonly procs: ChildProcess[],
    private readonly dir: string,
  ) {}

  get nodes(): string {
    return this.ports.map((p) => `127.0.0.1:${p}`).join(",");
  }

  static async start(masters = 3): Promise<OwnRedisCluster> {
    const dir = await mkdtemp(path.join(os.tmpdir(), "revocable-cluster-"));
    const ports: number[] = [];
    for (let i = 0; i < masters; i++) ports.push(await freePort());
    const procs = ports.map((port) =>
      spawn(
        "redis-server",
        ["--port", String(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes", "--cluster-config-file", `nodes-${port}.conf`,
          "--save", "", "--appendonly", "no", "--dir", dir],
        { stdio: "ignore" },
      ),
    );
    for (const port of ports) await waitForPing(port);
    await run("redis-cli", ["--cluster", "create", ...ports.map((p) => `127.0.0.1:${p}`), "--cluster-replicas", "0", "--cluster-yes"]);
    for (const port of ports) await waitForClusterOk(port);
    return new OwnRedisCluster(ports, procs, dir);
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.procs.map((p) => new Promise<void>((resolve) => (p.exitCode !== null ? resolve() : (p.once("exit", () => resolve()), p.kill("SIGKILL"))))),
    );
    await rm(this.dir, { recursive: true, force: true });
  }
}

async function waitForClusterOk(port: number) {
  const c = new Redis({ port, host: "127.0.0.1" });
  try {
    for (let i = 0; i < 200; i++) {
      if ((await c.cluster("INFO")).includes("cluster_state:ok")) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("cluster did not reach state ok");
  } finally {
    c.disconnect();
  }
}
