// The production build and the bench server process around it.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { readdir, readFile, rm, stat } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const ROOT = process.cwd();
const BUILD_ID = path.join(ROOT, ".next", "BUILD_ID");
const BUILD_INPUTS = ["src", "emails", "next.config.ts", "package-lock.json", "postcss.config.mjs", "tsconfig.json"];

async function newestMtime(p: string): Promise<number> {
  let s;
  try {
    s = await stat(p);
  } catch {
    return 0;
  }
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const entry of await readdir(p)) newest = Math.max(newest, await newestMtime(path.join(p, entry)));
  return newest;
}

/** Why a build is needed, or null when .next is a production build newer than its inputs. */
export async function buildNeeded(): Promise<string | null> {
  let built: number;
  try {
    built = (await stat(BUILD_ID)).mtimeMs;
  } catch {
    return "no production build in .next";
  }
  for (const input of BUILD_INPUTS) {
    if ((await newestMtime(path.join(ROOT, input))) > built) return `${input} changed since the last build`;
  }
  return null;
}

export async function buildId(): Promise<string | null> {
  try {
    return (await readFile(BUILD_ID, "utf8")).trim();
  } catch {
    return null;
  }
}

async function runBuild(log: string): Promise<{ code: number; output: string }> {
  const out = createWriteStream(log);
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, "node_modules", "next", "dist", "bin", "next"), "build"], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    child.once("error", reject);
    child.once("exit", (c) => resolve(c ?? 1));
  });
  await new Promise((r) => out.end(r));
  return { code, output: await readFile(log, "utf8").catch(() => "") };
}

/** `next build`, once. Someone else's build in the same tree holds Next's lock on .next:
 *  wait for it (up to 3 min) rather than clobber it. */
export async function build(): Promise<{ seconds: number }> {
  const log = path.join(os.tmpdir(), `revocable-bench-build-${process.pid}.log`);
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    const { code, output } = await runBuild(log);
    if (code === 0) break;
    if (/Another next build process is already running/.test(output) && attempt < 36) {
      if (attempt === 0) process.stdout.write("(another next build is running here; waiting for it) ");
      await new Promise((r) => setTimeout(r, 5_000));
      continue;
    }
    throw new Error(`next build failed (exit ${code}); last lines of ${log}:\n${output.split("\n").slice(-30).join("\n")}`);
  }
  await rm(log, { force: true });
  return { seconds: (Date.now() - started) / 1000 };
}

/** A free port in 3300-3399 (the range the bench may use). */
export async function freePort(): Promise<number> {
  const offset = Math.floor(Math.random() * 100);
  for (let i = 0; i < 100; i++) {
    const port = 3300 + ((offset + i) % 100);
    const free = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once("error", () => resolve(false));
      srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error("no free port in 3300-3399");
}

export interface BenchServer {
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
  stats(): Promise<{ pgQueries: number; rss: number }>;
  output(): string;
}

export async function startServer(port: number, env: Record<string, string>): Promise<BenchServer> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts", "bench-server.ts")], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  let output = "";
  const append = (b: Buffer) => {
    output += b.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout!.on("data", append);
  child.stderr!.on("data", append);
  const url = `http://127.0.0.1:${port}`;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bench server did not start in 60 s:\n${output}`)), 60_000);
    const onData = () => {
      if (output.includes("BENCH_SERVER_READY")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`bench server exited (${code}) before it was ready:\n${output}`));
    });
  });
  let exited = false;
  child.once("exit", () => (exited = true));
  return {
    url,
    port,
    pid: child.pid!,
    output: () => output,
    async stats() {
      const res = await fetch(`${url}/__bench/stats`);
      return (await res.json()) as { pgQueries: number; rss: number };
    },
    async stop() {
      process.off("exit", killOnExit);
      if (exited) return;
      const gone = new Promise<void>((r) => child.once("exit", () => r()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await gone;
      clearTimeout(timer);
    },
  };
}
