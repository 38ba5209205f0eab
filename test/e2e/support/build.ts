// The production build (`next build` into .next) for every suite that runs the app as
// `npm start` does: the e2e run and the fault-injection suite.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../../..");
export const NEXT_BIN = path.join(ROOT, "node_modules/next/dist/bin/next");

async function runBuild(logFile: string): Promise<{ code: number | null; output: string }> {
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, [NEXT_BIN, "build"], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const [code] = (await once(child, "exit")) as [number | null];
  await new Promise((r) => log.end(r));
  return { code, output: await readFile(logFile, "utf8").catch(() => "") };
}

async function build(label: string, logFile: string): Promise<void> {
  const started = Date.now();
  // Someone else's `next build` in the same tree holds Next's build lock: wait for it.
  for (let attempt = 0; ; attempt++) {
    const { code, output } = await runBuild(logFile);
    if (code === 0) break;
    if (/Another next build process is already running/.test(output) && attempt < 36) {
      if (attempt === 0) console.info(`[${label}] another next build is running here; waiting for it`);
      await new Promise((r) => setTimeout(r, 5_000));
      continue;
    }
    throw new Error(`next build failed (exit ${code}):\n${output.slice(-4000)}`);
  }
  console.info(`[${label}] next build: ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

/** Builds, unless `skipVar` (e.g. E2E_SKIP_BUILD=1) is set and a build is already there
 *  (CI builds once for the e2e step and the fault suite reuses it). */
export async function buildOnce(label: string, logFile: string, ...skipVars: string[]): Promise<void> {
  const skipBy = skipVars.find((name) => process.env[name]);
  if (skipBy && existsSync(path.join(ROOT, ".next/BUILD_ID"))) {
    console.info(`[${label}] ${skipBy}: reusing .next`);
    return;
  }
  await build(label, logFile);
}
