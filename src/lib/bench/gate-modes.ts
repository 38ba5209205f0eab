// Bench-only (scripts/bench-server.ts, `npm run bench`): the ways one protected request can be
// checked, side by side in one server process. The app never imports this file, so none of it
// is in the production bundle, and no environment variable can switch the real gate off.
//
// How a mode reaches "the same route": the bench server puts a thin front before Next's own
// request handler (the one `next start` uses). The front rewrites /__bench/mode/<mode> to one
// of three paths that all end in the same handler, Next's static not-found page, and differ
// only in what checks the session on the way:
//   protected    /api/bench/target          src/proxy.ts runs and checks the index (one GET)
//   publicAlias  /api/health/bench/target   src/proxy.ts runs, sees a public path, checks nothing
//   noProxy      /bench/target.txt          excluded by the proxy matcher: the proxy never runs
// The better-auth modes check in the front with better-auth's own getSession, then take the
// public alias. The bench verifies at start-up that the three paths behave as described.
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { drizzle } from "drizzle-orm/node-postgres";
import type { Pool } from "pg";
import { schema } from "@/db/schema";
import { env } from "@/lib/env";
import { COOKIE_PREFIX, secureCookies } from "@/lib/sessions/cookie";

export const GATE_MODES = ["no-proxy", "none", "index", "better-auth", "cookie-cache"] as const;
export type GateMode = (typeof GATE_MODES)[number];

export const MODE_LABELS: Record<GateMode, string> = {
  "no-proxy": "reference: proxy not invoked",
  none: "1 baseline: proxy, no session check",
  index: "2 our proxy: one Redis GET",
  "better-auth": "3 better-auth getSession (database)",
  "cookie-cache": "4 better-auth cookie cache",
};

export const BENCH_PATHS = {
  protected: "/api/bench/target",
  publicAlias: "/api/health/bench/target",
  noProxy: "/bench/target.txt",
} as const;

export const MODE_PREFIX = "/__bench/mode/";

export function modeOfUrl(url: string): GateMode | null {
  if (!url.startsWith(MODE_PREFIX)) return null;
  const name = url.slice(MODE_PREFIX.length).split(/[/?]/, 1)[0];
  return (GATE_MODES as readonly string[]).includes(name ?? "") ? (name as GateMode) : null;
}

export type FrontDecision =
  | { kind: "forward"; path: string; setCookie: string[] }
  | { kind: "reject"; setCookie: string[] };

export const REJECT_BODY = JSON.stringify({
  error: { code: "unauthenticated", message: "You are not signed in, or your session has ended." },
});

/**
 * better-auth as the app configures it where it matters to getSession (secret, cookie names and
 * attributes, lifetime, no sliding refresh), over its own pool so the bench can count queries.
 * Only `cookieCache` differs between the two instances.
 */
function createBetterAuth(pool: Pool, cookieCache: { enabled: false } | { enabled: true; maxAge: number }) {
  const e = env();
  return betterAuth({
    baseURL: e.APP_URL,
    secret: e.BETTER_AUTH_SECRET,
    trustedOrigins: [e.APP_URL],
    database: drizzleAdapter(drizzle({ client: pool, schema }), { provider: "pg", schema }),
    session: {
      expiresIn: e.SESSION_MAX_LIFETIME,
      disableSessionRefresh: true,
      freshAge: e.SESSION_FRESH_AGE,
      cookieCache,
    },
    advanced: {
      cookiePrefix: COOKIE_PREFIX,
      useSecureCookies: secureCookies(),
      defaultCookieAttributes: { sameSite: "lax", httpOnly: true },
    },
  });
}

export interface GateFront {
  decide(mode: GateMode, cookieHeader: string | undefined): Promise<FrontDecision>;
}

export function createGateFront(options: { pool: Pool; cookieCacheMaxAge: number }): GateFront {
  const databaseAuth = createBetterAuth(options.pool, { enabled: false });
  const cachedAuth = createBetterAuth(options.pool, { enabled: true, maxAge: options.cookieCacheMaxAge });

  async function viaBetterAuth(auth: typeof databaseAuth, cookieHeader: string | undefined): Promise<FrontDecision> {
    const headers = new Headers();
    if (cookieHeader) headers.set("cookie", cookieHeader);
    const { headers: out, response } = await auth.api.getSession({ headers, returnHeaders: true });
    const setCookie = out.getSetCookie();
    return response ? { kind: "forward", path: BENCH_PATHS.publicAlias, setCookie } : { kind: "reject", setCookie };
  }

  return {
    async decide(mode, cookieHeader) {
      switch (mode) {
        case "no-proxy":
          return { kind: "forward", path: BENCH_PATHS.noProxy, setCookie: [] };
        case "none":
          return { kind: "forward", path: BENCH_PATHS.publicAlias, setCookie: [] };
        case "index":
          return { kind: "forward", path: BENCH_PATHS.protected, setCookie: [] };
        case "better-auth":
          return viaBetterAuth(databaseAuth, cookieHeader);
        case "cookie-cache":
          return viaBetterAuth(cachedAuth, cookieHeader);
      }
    },
  };
}
