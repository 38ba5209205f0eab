// Revoke-all at several sizes: end to end as the app does it (Postgres, then one index call),
// the Redis round trips (MONITOR), and where the time goes (the DELETE alone, the index call
// alone, the script inside Redis from SLOWLOG on a private Redis).
import { and, eq, ne } from "drizzle-orm";
import { getDb, getQueryCount } from "@/db";
import { session as sessionTable } from "@/db/schema";
import { getSessionIndex, hashToken } from "@/lib/session-index";
import { revokeSessions } from "@/lib/sessions/lifecycle";
import { ms, type Ctx } from "../context";
import { median } from "../lib/load";
import { seedOneUser } from "../lib/seed";

export async function warmScripts(ctx: Ctx) {
  // Every Lua script once (a script's very first call anywhere is EVALSHA, NOSCRIPT, EVAL).
  const s = await seedOneUser(ctx.seedIdx, 2, "warm");
  await getSessionIndex().list(s[0]!.userId);
  await revokeSessions(s[0]!.userId, { allExcept: s[0]!.sessionId });
}

export async function revokeAll(ctx: Ctx, n: number) {
  const observed: { roundTrips: number; byCommand: Record<string, number>; sql: number; removed: number; insideScripts: number } = {
    roundTrips: 0, byCommand: {}, sql: 0, removed: 0, insideScripts: 0,
  };
  {
    const sessions = await seedOneUser(ctx.seedIdx, n, `revoke-${n}`);
    const q0 = getQueryCount();
    const { value, observed: o } = await ctx.monitor.observe(() =>
      revokeSessions(sessions[0]!.userId, { allExcept: sessions[0]!.sessionId }),
    );
    Object.assign(observed, { roundTrips: o.roundTrips, byCommand: o.byCommand, insideScripts: o.insideScripts, sql: getQueryCount() - q0, removed: value.length });
    if (value.length !== n - 1) throw new Error(`revoke-all ${n}: removed ${value.length}`);
  }
  const total: number[] = [];
  const redisOnly: number[] = [];
  const redisExec: number[] = [];
  const pgDelete: number[] = [];
  await ctx.admin?.config("SET", "slowlog-log-slower-than", "0");
  for (let t = 0; t < ctx.profile.revokeTrials; t++) {
    const a = await seedOneUser(ctx.seedIdx, n, `revoke-${n}`);
    let start = process.hrtime.bigint();
    await revokeSessions(a[0]!.userId, { allExcept: a[0]!.sessionId });
    total.push(ms(start));
    // Where the time goes. Postgres: the statement revokeSessions runs, alone.
    const b = await seedOneUser(ctx.seedIdx, n, `revoke-${n}`);
    start = process.hrtime.bigint();
    const rows = await getDb()
      .delete(sessionTable)
      .where(and(eq(sessionTable.userId, b[0]!.userId), ne(sessionTable.id, b[0]!.sessionId)))
      .returning({ id: sessionTable.id, token: sessionTable.token });
    pgDelete.push(ms(start));
    // Redis: the index call alone, with exactly what revokeSessions hands it after Postgres;
    // SLOWLOG (threshold 0 on the private server) gives the script's own execution time.
    const refs = rows.map((r) => ({ sessionId: r.id, tokenHash: hashToken(r.token) }));
    await ctx.admin?.call("SLOWLOG", "RESET");
    start = process.hrtime.bigint();
    await getSessionIndex().remove(b[0]!.userId, refs, { keep: b[0]!.sessionId });
    redisOnly.push(ms(start));
    if (ctx.admin) {
      const entries = (await ctx.admin.call("SLOWLOG", "GET", "20")) as [number, number, number, string[]][];
      const script = entries.find((e) => String(e[3]?.[0]).toLowerCase() === "evalsha");
      if (script) redisExec.push(Number(script[2]) / 1000);
    }
  }
  await ctx.admin?.config("SET", "slowlog-log-slower-than", "10000");
  return {
    sessions: n,
    revoked: n - 1,
    roundTrips: observed.roundTrips,
    redisByCommand: observed.byCommand,
    redisCommandsInsideScripts: observed.insideScripts,
    sqlStatements: observed.sql,
    totalMs: { median: median(total), max: Math.max(...total), trials: total },
    redisMs: { median: median(redisOnly), max: Math.max(...redisOnly), trials: redisOnly },
    /** Inside Redis: the script's execution time (SLOWLOG), private Redis only. */
    redisExecMs: redisExec.length ? { median: median(redisExec), max: Math.max(...redisExec) } : null,
    /** The Postgres DELETE ... RETURNING alone. */
    postgresMs: { median: median(pgDelete), max: Math.max(...pgDelete) },
  };
}

export type RevokeAllFigure = Awaited<ReturnType<typeof revokeAll>>;
