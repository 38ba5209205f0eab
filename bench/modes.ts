// The ways one request can be checked, side by side in one bench server process (bench/server.ts).
// The app never imports this file: nothing of it is in the production bundle, and no environment
// variable can switch the real gate off.
//
// How every mode reaches "the same route": the bench server puts a thin front before Next's own
// request handler (the one `next start` uses). For /__bench/mode/<mode> the front runs the mode's
// check, then hands the request to Next at TARGET, a path the proxy matcher excludes (so Next's
// proxy does not run a second time), which Next answers with its static not-found page. So the
// modes "none", "index", "better-auth" and "cookie-cache" do the same work except the check:
//   none          the app's gate() on its public twin (GET /api/health): passes, checks nothing
//   index         the app's gate() on a protected path: HMAC, then one Redis GET
//   better-auth   better-auth's getSession, cookie cache off: the database on every request
//   cookie-cache  better-auth's getSession with its cookie cache on
//   better-auth-redis  better-auth's getSession with Redis secondaryStorage (bench/better-auth.ts)
// "next-proxy" is the deployment as it is: no front check, the request goes to a protected path
// and Next's proxy (src/proxy.ts) runs the same gate() inside Next. It shows what Next's proxy
// machinery adds around the check. The bench verifies at start-up that every path behaves so.
import type { Redis } from "ioredis";
import { NextRequest } from "next/server";
import type { Pool } from "pg";
import { env } from "@/lib/env";
import { gate } from "@/lib/proxy-gate";
import { createBenchAuth, type BenchAuth } from "./better-auth";

export const GATE_MODES = ["none", "index", "better-auth", "cookie-cache", "better-auth-redis", "next-proxy"] as const;
export type GateMode = (typeof GATE_MODES)[number];

/** Modes that refuse a request without a live session. */
export const CHECKING_MODES: readonly GateMode[] = ["index", "better-auth", "cookie-cache", "better-auth-redis", "next-proxy"];

/** Modes whose sessions live in better-auth's Redis storage, not in the app's stores: the bench
 *  creates a session of their own for each seeded one (figures/modes.ts). */
export const PEER_MODES: readonly GateMode[] = ["better-auth-redis"];

export const MODE_LABELS: Record<GateMode, string> = {
  none: "1 baseline: gate, public path, no check",
  index: "2 our gate: one Redis GET",
  "better-auth": "3 better-auth getSession (database)",
  "cookie-cache": "4 better-auth cookie cache",
  "better-auth-redis": "5 better-auth Redis secondaryStorage",
  "next-proxy": "reference: our gate in Next's proxy",
};

export const BENCH_PATHS = {
  /** Served by Next's not-found page; excluded by the proxy matcher (a .txt file). */
  target: "/bench/target.txt",
  /** Not a route either: Next's proxy checks the session, then the same not-found page. */
  protected: "/api/bench/target",
  /** The gate's public twin for the baseline: a path the gate lets through unchecked. */
  publicTwin: "/api/health",
} as const;

export const MODE_PREFIX = "/__bench/mode/";

export function modeOfUrl(url: string): GateMode | null {
  if (!url.startsWith(MODE_PREFIX)) return null;
  const name = url.slice(MODE_PREFIX.length).split(/[/?]/, 1)[0];
  return (GATE_MODES as readonly string[]).includes(name ?? "") ? (name as GateMode) : null;
}

export type FrontDecision =
  | { kind: "forward"; path: string; setCookie: string[] }
  | { kind: "reject"; status: number; setCookie: string[] };

export const REJECT_BODY = JSON.stringify({
  error: { code: "unauthenticated", message: "You are not signed in, or your session has ended." },
});

export interface GateFront {
  decide(mode: GateMode, cookieHeader: string | undefined): Promise<FrontDecision>;
}

export function createGateFront(options: { pool: Pool; cookieCacheMaxAge: number; peerRedis: Redis }): GateFront {
  const databaseAuth = createBenchAuth(options.pool, { kind: "database" });
  const cachedAuth = createBenchAuth(options.pool, { kind: "cookie-cache", maxAge: options.cookieCacheMaxAge });
  const redisAuth = createBenchAuth(options.pool, { kind: "redis", client: options.peerRedis });
  const origin = env().APP_URL;

  async function viaBetterAuth(auth: BenchAuth, cookieHeader: string | undefined): Promise<FrontDecision> {
    const headers = new Headers();
    if (cookieHeader) headers.set("cookie", cookieHeader);
    const { headers: out, response } = await auth.api.getSession({ headers, returnHeaders: true });
    const setCookie = out.getSetCookie();
    return response ? { kind: "forward", path: BENCH_PATHS.target, setCookie } : { kind: "reject", status: 401, setCookie };
  }

  /** The app's gate, built as Next's proxy calls it: a NextRequest for `pathname`. The baseline
   *  and our mode construct the same request and differ only in the path, public or not. */
  async function viaGate(pathname: string, cookieHeader: string | undefined): Promise<FrontDecision> {
    const headers = new Headers();
    if (cookieHeader) headers.set("cookie", cookieHeader);
    const res = await gate(new NextRequest(`${origin}${pathname}`, { headers }));
    const setCookie = res.headers.getSetCookie();
    return res.headers.get("x-middleware-next") === "1"
      ? { kind: "forward", path: BENCH_PATHS.target, setCookie }
      : { kind: "reject", status: res.status, setCookie };
  }

  return {
    async decide(mode, cookieHeader) {
      switch (mode) {
        case "none":
          return viaGate(BENCH_PATHS.publicTwin, cookieHeader);
        case "index":
          return viaGate(BENCH_PATHS.protected, cookieHeader);
        case "better-auth":
          return viaBetterAuth(databaseAuth, cookieHeader);
        case "cookie-cache":
          return viaBetterAuth(cachedAuth, cookieHeader);
        case "better-auth-redis":
          return viaBetterAuth(redisAuth, cookieHeader);
        case "next-proxy":
          return { kind: "forward", path: BENCH_PATHS.protected, setCookie: [] };
      }
    },
  };
}
