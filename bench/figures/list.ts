// The Active devices list for a user with 50 sessions: in this process through the app's
// listSessions() (round trips, SQL, time), and over HTTP (GET /api/sessions).
import { getQueryCount } from "@/db";
import { flushBackground } from "@/lib/background";
import { getSessionIndex, hashToken, tagOfToken } from "@/lib/session-index";
import { listSessions } from "@/lib/sessions/service";
import { get, ms, type Ctx } from "../context";
import { median, percentile } from "../lib/load";
import { seedOneUser } from "../lib/seed";

export async function listFigure(ctx: Ctx) {
  const sessions = await seedOneUser(ctx.seedIdx, ctx.profile.listSessions, "list");
  const current = await getSessionIndex().lookup(tagOfToken(sessions[0]!.token), hashToken(sessions[0]!.token));
  if (!current) throw new Error("list: current session not indexed");
  await listSessions(current);
  // A user seeded into a fresh index has an incomplete tag: that first list answered from
  // Postgres and started the tag's rebuild. The figure is the steady state: wait for it.
  await flushBackground();
  const q0 = getQueryCount();
  const { value, observed } = await ctx.monitor.observe(() => listSessions(current));
  const sql = getQueryCount() - q0;
  const times: number[] = [];
  for (let i = 0; i < ctx.profile.listTrials; i++) {
    const start = process.hrtime.bigint();
    await listSessions(current);
    times.push(ms(start));
  }
  // The same list over HTTP (GET /api/sessions): proxy check + route's own check + list.
  await get(ctx, "/api/sessions", sessions[0]!.cookie);
  const s0 = await ctx.server.stats();
  const http = await ctx.monitor.observe(() => get(ctx, "/api/sessions", sessions[0]!.cookie));
  const s1 = await ctx.server.stats();
  if (http.value.status !== 200) throw new Error(`GET /api/sessions: ${http.value.status}`);
  return {
    sessions: ctx.profile.listSessions,
    listed: value.length,
    roundTrips: observed.roundTrips,
    redisByCommand: observed.byCommand,
    sqlStatements: sql,
    ms: { median: median(times), p99: percentile([...times].sort((a, b) => a - b), 0.99) },
    overHttp: {
      route: "GET /api/sessions",
      redisRoundTrips: http.observed.roundTrips,
      redisByCommand: http.observed.byCommand,
      sqlStatements: s1.pgQueries - s0.pgQueries,
    },
  };
}

export type ListFigure = Awaited<ReturnType<typeof listFigure>>;
