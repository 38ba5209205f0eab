// Cost of the sign-in's location lookup (lib/location.ts: classify the address, read the
// MMDB database, format "City, Country"), per lookup, in this process. Beside it, in the
// same run and loop: parseUserAgent (the other parse every sign-in makes) and a Map lookup,
// so the figure reads as a ratio on any machine. Distinct random public addresses, more of
// them than the reader's 10,000-entry cache holds: every lookup reads the database.
import path from "node:path";
import { parseUserAgent } from "@/lib/device";
import { databasePath, locate } from "@/lib/location";
import type { Ctx } from "../context";
import { median, percentile } from "../lib/load";
import { USER_AGENTS } from "../lib/seed";

const relativeToCwd = (p: string | null) => (p && path.isAbsolute(p) ? path.relative(process.cwd(), p) : p);

export interface LocationFigure {
  database: string | null;
  lookups: number;
  /** First lookup: opens the database (once per process). */
  openMs: number;
  located: number;
  lookupUs: { mean: number; p50: number; p99: number };
  userAgentUs: { mean: number; p50: number; p99: number };
  mapGetUs: { mean: number; p50: number; p99: number };
  /** lookup p50 / parseUserAgent p50 (medians: a busy machine's preemptions swamp the means) */
  ratioToUserAgent: number;
}

/** A random address outside the private and reserved ranges' first octets. */
function randomPublicIpv4(): string {
  let a: number;
  do a = 1 + Math.floor(Math.random() * 223);
  while (a === 10 || a === 127 || a === 100 || a === 169 || a === 172 || a === 192 || a === 198 || a === 203);
  return `${a}.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;
}

function stats(us: number[]) {
  const sorted = [...us].sort((a, b) => a - b);
  return { mean: us.reduce((a, b) => a + b, 0) / us.length, p50: median(us), p99: percentile(sorted, 0.99) };
}

/** Times each call on its own (hrtime), in µs. */
async function timeEach<T>(inputs: T[], fn: (x: T) => unknown): Promise<number[]> {
  const out: number[] = [];
  for (const x of inputs) {
    const t = process.hrtime.bigint();
    await fn(x);
    out.push(Number(process.hrtime.bigint() - t) / 1e3);
  }
  return out;
}

export async function locationFigure(ctx: Ctx): Promise<LocationFigure> {
  const n = ctx.profile.locationLookups;
  const t0 = process.hrtime.bigint();
  await locate("8.8.8.8");
  const openMs = Number(process.hrtime.bigint() - t0) / 1e6;

  const addresses = Array.from({ length: n }, randomPublicIpv4);
  const agents = Array.from({ length: n }, (_, i) => `${USER_AGENTS[i % USER_AGENTS.length]} build/${i}`);
  const map = new Map(addresses.map((a, i) => [a, i]));
  // Warm the code paths (JIT) on other inputs, then measure, interleaving nothing else.
  for (let i = 0; i < 500; i++) {
    await locate(randomPublicIpv4());
    parseUserAgent(agents[i % agents.length]);
  }
  let located = 0;
  const lookupUs = await timeEach(addresses, async (ip) => {
    if (await locate(ip)) located++;
  });
  const userAgentUs = await timeEach(agents, (ua) => parseUserAgent(ua));
  const mapGetUs = await timeEach(addresses, (ip) => map.get(ip));
  const lookup = stats(lookupUs);
  const userAgent = stats(userAgentUs);
  return {
    // Relative to the checkout: the results file is committed and names no machine path.
    database: relativeToCwd(databasePath()),
    lookups: n,
    openMs,
    located,
    lookupUs: lookup,
    userAgentUs: userAgent,
    mapGetUs: stats(mapGetUs),
    ratioToUserAgent: lookup.p50 / userAgent.p50,
  };
}
