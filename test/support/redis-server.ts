// A redis-server of the test's own on a free loopback port, so a test can stop, freeze
// and restart it without touching the shared one.
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import { Redis } from "ioredis";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

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
  constructor(readonly port: number) {}

  static async start(): Promise<OwnRedis> {
    const r = new OwnRedis(await freePort());
    await r.start();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.proc = spawn("redis-server", ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      stdio: "ignore",
    });
    await waitForPing(this.port);
  }

  /** Process gone: connections refused, data lost (no persistence). */
  async stop(): Promise<void> {
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
