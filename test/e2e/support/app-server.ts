// Starts the app the way `npm start` does (server.ts on the production build in .next) with
// the given environment, in its own process group, and stops exactly that group.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../../..");

export interface AppServer {
  url: string;
  child: ChildProcess;
  stop: () => Promise<void>;
  /** SIGKILL, no shutdown: a crashed instance (the fault suite). */
  kill: () => Promise<void>;
}

async function waitForServer(url: string, child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(url, { redirect: "manual" });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const output = await readFile(logFile, "utf8").catch(() => "");
  throw new Error(`The e2e server did not come up at ${url}:\n${output.slice(-4000)}`);
}

function signal(child: ChildProcess, name: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, name); // the server's own process group
  } catch {
    // already gone
  }
}

/** `url` is where it is reached (its APP_URL); `env` is the rest of its environment. */
export async function startAppServer(url: string, env: Record<string, string>, logFile: string, timeoutMs = 60_000): Promise<AppServer> {
  const log = createWriteStream(logFile, { flags: "a" }); // a restarted instance appends to its log
  const childEnv: NodeJS.ProcessEnv = { ...env, NODE_ENV: "production", PORT: new URL(url).port, APP_URL: url };
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "server.ts")], {
    cwd: ROOT,
    detached: true, // its own process group, so stopping it ends exactly what we started
    env: childEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const stop = async () => {
    if (!child.pid || child.exitCode !== null) return;
    signal(child, "SIGTERM");
    await Promise.race([once(child, "exit"), new Promise((r) => setTimeout(r, 5_000))]);
    if (child.exitCode === null) signal(child, "SIGKILL");
  };
  const kill = async () => {
    if (!child.pid || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    signal(child, "SIGKILL");
    await exited;
  };
  try {
    await waitForServer(`${url}/sign-in`, child, logFile, timeoutMs);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, child, stop, kill };
}
