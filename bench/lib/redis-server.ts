// A private redis-server for one bench run, on a port in 3300-3399, configured like CI's
// (no persistence). Why not a DB index of the shared Redis (test/support/services.ts
// claimRedisDb): the bench loads a million sessions and runs bulk scripts that would stall
// everyone else's tests on a shared server; its INFO and MONITOR figures would include their
// traffic; and a test that FLUSHDBs its own DB also deletes that DB's claim lock, so a later
// claim can land on a DB still in use (seen while developing this bench: the bench's keys were
// flushed under it). `--shared-redis` still uses claimRedisDb.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { freePort } from "./server";

export interface PrivateRedis {
  url: string;
  port: number;
  version: string;
  stop(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), "revocable-bench-redis-"));
  const child: ChildProcess = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--loglevel", "warning"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr!.on("data", (b: Buffer) => (stderr += b.toString()));
  // Never outlive this process, however it ends.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const spawned = await new Promise<Error | null>((resolve) => {
    child.once("error", (err) => resolve(err));
    child.once("spawn", () => resolve(null));
  });
  if (spawned) throw new Error(`cannot start redis-server (${spawned.message}); install it or pass --shared-redis`);
  const client = new Redis({ host: "127.0.0.1", port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on("error", () => {}); // refused until it listens
  let version = "";
  for (let i = 0; i < 100; i++) {
    try {
      if (client.status !== "ready") await client.connect();
      version = /redis_version:(\S+)/.exec(await client.info("server"))?.[1] ?? "";
      break;
    } catch {
      client.disconnect();
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  client.disconnect();
  if (!version) {
    child.kill("SIGKILL");
    throw new Error(`redis-server on port ${port} did not answer: ${stderr}`);
  }
  return {
    url: `redis://127.0.0.1:${port}/0`,
    port,
    version,
    async stop() {
      process.off("exit", killOnExit);
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await gone;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
