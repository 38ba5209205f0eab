// A redis-server of the caller's own on a loopback port (no persistence, as CI's), so a test
// can stop, freeze and restart it without touching the shared one, and the bench can load it
// without stalling anyone else. The one redis-server launcher of test/ and bench/.
import { spawn, type ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import { freePort } from "./ports";

/** Resolves once a redis-server answers PING on the port (5 s at most). */
export async function waitForPing(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const c = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    c.on("error", () => {});
    try {
      await c.connect();
      await c.ping();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      c.disconnect();
    }
  }
  throw new Error(`redis-server did not start on ${port}`);
}

export class OwnRedis {
  private proc: ChildProcess | null = null;
  // Never outlive this process, however it ends.
  private readonly killOnExit = () => this.proc?.kill("SIGKILL");
  constructor(readonly port: number) {}

  /** On the given port, else on any free one. */
  static async start(port?: number): Promise<OwnRedis> {
    const r = new OwnRedis(port ?? (await freePort()));
    await r.start();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const proc = spawn("redis-server", ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      stdio: "ignore",
    });
    const spawned = await new Promise<Error | null>((resolve) => {
      proc.once("error", resolve);
      proc.once("spawn", () => resolve(null));
    });
    if (spawned) throw new Error(`cannot start redis-server (${spawned.message}): is it installed?`);
    this.proc = proc;
    process.once("exit", this.killOnExit);
    await waitForPing(this.port);
  }

  /** The server's version (INFO server). */
  async version(): Promise<string> {
    const c = new Redis({ port: this.port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await c.connect();
      return /redis_version:(\S+)/.exec(await c.info("server"))?.[1] ?? "";
    } finally {
      c.disconnect();
    }
  }

  /** Process gone: connections refused, data lost (no persistence). */
  async stop(): Promise<void> {
    process.off("exit", this.killOnExit);
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once("exit", () => resolve());
      p.kill("SIGKILL");
    });
    this.proc = null;
  }

  /** Frozen: connections hang (a network partition or a stalled server); data kept. */
  freeze(): void {
    this.proc?.kill("SIGSTOP");
  }

  thaw(): void {
    this.proc?.kill("SIGCONT");
  }
}
