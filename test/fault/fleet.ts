// The app instances of the fault suite: the production build started as `npm start` does
// (test/e2e/support/app-server.ts), several at once on one Postgres database and one Redis,
// each optionally behind its own TCP relay to Redis. Instances are SIGKILLed and started
// again by the schedules; the rest keep running from one schedule to the next.
import path from "node:path";
import { startAppServer, type AppServer } from "../e2e/support/app-server";
import { freePort, PORT_RANGES } from "../support/ports";
import type { TcpRelay } from "./relay";

export interface AppInstance {
  name: string;
  url: string;
  /** Its own link to Redis (standalone topology), which the partition faults cut. */
  relay: TcpRelay | null;
  env: Record<string, string>;
  logFile: string;
  server: AppServer | null;
}

export class Fleet {
  private constructor(readonly instances: AppInstance[]) {}

  /** `redisEnv(i)`: the Redis part of instance i's environment (and its relay, if any). */
  static async start(
    names: string[],
    baseEnv: Record<string, string>,
    workDir: string,
    redisEnv: (i: number) => Promise<{ env: Record<string, string>; relay: TcpRelay | null }>,
  ): Promise<Fleet> {
    const instances: AppInstance[] = [];
    for (const [i, name] of names.entries()) {
      const port = await freePort(PORT_RANGES.fault);
      const redis = await redisEnv(i);
      instances.push({
        name,
        url: `http://localhost:${port}`,
        relay: redis.relay,
        env: { ...baseEnv, ...redis.env },
        logFile: path.join(workDir, `${name}.log`),
        server: null,
      });
    }
    const fleet = new Fleet(instances);
    try {
      // One after another: two cold starts at once on two cores take longer than in turn.
      for (const inst of instances) await fleet.boot(inst);
    } catch (err) {
      await fleet.stop();
      throw err;
    }
    return fleet;
  }

  private async boot(inst: AppInstance): Promise<void> {
    inst.server = await startAppServer(inst.url, inst.env, inst.logFile);
  }

  alive(): AppInstance[] {
    return this.instances.filter((i) => i.server !== null);
  }

  byName(name: string): AppInstance {
    const inst = this.instances.find((i) => i.name === name);
    if (!inst) throw new Error(`no instance ${name}`);
    return inst;
  }

  /** SIGKILL: no shutdown hook, nothing flushed (a crash, or the machine gone). */
  async kill(inst: AppInstance): Promise<void> {
    const server = inst.server;
    inst.server = null;
    await server?.kill();
  }

  /** Started again, as an orchestrator would after a crash. */
  async restart(inst: AppInstance): Promise<void> {
    if (inst.server) return;
    await this.boot(inst);
  }

  async stop(): Promise<void> {
    await Promise.all(this.instances.map((i) => i.server?.stop()));
    await Promise.all(this.instances.map((i) => i.relay?.stop()));
    for (const i of this.instances) i.server = null;
  }
}
