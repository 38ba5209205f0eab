// What every figure of a run shares: the profile, the bench server, the run's Redis (with a
// MONITOR to count round trips), the seeding index, and how a request to a mode is made.
import os from "node:os";
import { Redis } from "ioredis";
import type { Profile } from "./config";
import type { Peer } from "./lib/peer";
import { RedisMonitor } from "./lib/monitor";
import type { SeedingIndex } from "./lib/seed";
import { MODE_PREFIX, type GateMode } from "./modes";
import type { BenchServer } from "./setup";

export interface Ctx {
  profile: Profile;
  server: BenchServer;
  monitor: RedisMonitor;
  seedIdx: SeedingIndex;
  redisUrl: string;
  /** An admin connection to the private Redis (SLOWLOG, CLIENT LIST); null on a shared one. */
  admin: Redis | null;
  /** better-auth with Redis secondaryStorage, driven in this process (the peer). */
  peer: Peer;
}

/** Next's not-found page: the route every mode serves once its check passes. */
export const ACCEPTED = 404;
export const REJECTED = 401;

export const modePath = (mode: GateMode) => `${MODE_PREFIX}${mode}`;

export async function get(ctx: Ctx, pathname: string, cookie?: string) {
  const res = await fetch(`${ctx.server.url}${pathname}`, { headers: cookie ? { cookie } : {}, redirect: "manual" });
  const body = await res.text();
  return { status: res.status, length: body.length, setCookie: res.headers.getSetCookie() };
}

export function ms(from: bigint): number {
  return Number(process.hrtime.bigint() - from) / 1e6;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Seconds per section and the load average as each began (other work on the machine). */
export const timings = { sectionSeconds: {} as Record<string, number>, loadAverages: {} as Record<string, number[]> };

/** Runs one named step of the run, printing and recording how long it took. */
export async function section<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const t = Date.now();
  process.stdout.write(`• ${name} ... `);
  timings.loadAverages[`${name} (start)`] = os.loadavg().map((v) => Number(v.toFixed(2)));
  const value = await fn();
  timings.sectionSeconds[name] = (Date.now() - t) / 1000;
  process.stdout.write(`${timings.sectionSeconds[name]!.toFixed(1)} s\n`);
  return value;
}
