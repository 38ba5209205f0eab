// What GET /api/ready reports (in full to the metrics token's holder, else only ready or
// not: publicReadiness) and what /api/metrics reads at scrape time: Postgres
// reachable, Redis reachable (or the app answering from Postgres), the index backlog
// and the circuit breaker. Postgres is the truth, so only its absence makes the app
// unready; everything else is "degraded" (slower, still correct).
import { sql } from "drizzle-orm";
import { getDb } from "@/db";
import { sessionIndexBacklog } from "@/db/schema";
import { getRedisClient } from "@/lib/redis/client";
import { getSessionIndex } from "@/lib/session-index";
import { GuardedSessionIndex } from "@/lib/session-index/guarded";
import { indexIsSuspect } from "@/lib/sessions/index-health";
import { probePostgres, PROBE_TIMEOUT_MS } from "./postgres";

export type BreakerState = "closed" | "open" | "half-open" | "none";

export interface Readiness {
  status: "ok" | "degraded" | "unavailable";
  message: string;
  postgres: { status: "ok"; latencyMs: number } | { status: "unreachable" };
  redis: { status: "ok"; latencyMs: number } | { status: "unreachable" } | { status: "not-configured" };
  index: {
    breaker: BreakerState;
    /** Removals waiting in Postgres for Redis (null: Postgres could not be asked). */
    backlog: number | null;
    /** Index hits are being confirmed against Postgres (after an outage). */
    confirmingHits: boolean;
  };
}

/** What anyone may learn: ready or not (a load balancer needs no more). */
export interface PublicReadiness {
  status: "ready" | "unavailable";
}

export function publicReadiness(report: Readiness): PublicReadiness {
  return { status: report.status === "unavailable" ? "unavailable" : "ready" };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("timeout")), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function pingRedis(): Promise<Readiness["redis"]> {
  const client = getRedisClient();
  if (!client) return { status: "not-configured" };
  const started = performance.now();
  try {
    await withTimeout(client.ping(), PROBE_TIMEOUT_MS);
    return { status: "ok", latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch {
    return { status: "unreachable" };
  }
}

export function breakerState(): BreakerState {
  const index = getSessionIndex();
  return index instanceof GuardedSessionIndex ? index.breaker.state : "none";
}

/** Rows in session_index_backlog, or null when Postgres does not answer in time. */
export async function backlogLength(): Promise<number | null> {
  try {
    const [row] = await withTimeout(
      getDb().select({ n: sql<number>`count(*)::int` }).from(sessionIndexBacklog),
      PROBE_TIMEOUT_MS,
    );
    return row?.n ?? 0;
  } catch {
    return null;
  }
}

export async function readiness(): Promise<Readiness> {
  const [pg, redis] = await Promise.all([probePostgres(), pingRedis()]);
  const backlog = pg.ok ? await backlogLength() : null;
  const breaker = breakerState();
  const index = { breaker, backlog, confirmingHits: indexIsSuspect() };
  const postgres: Readiness["postgres"] = pg.ok ? { status: "ok", latencyMs: pg.latencyMs } : { status: "unreachable" };
  if (!pg.ok) {
    return { status: "unavailable", message: "Postgres is unreachable: sessions cannot be created or ended.", postgres, redis, index };
  }
  if (redis.status === "unreachable" || breaker === "open" || breaker === "half-open") {
    return { status: "degraded", message: "degraded, answering from Postgres: the session index (Redis) is unreachable.", postgres, redis, index };
  }
  if ((backlog ?? 0) > 0 || index.confirmingHits) {
    return {
      status: "degraded",
      message: "degraded, catching up: removals made during a Redis outage are still being applied; index hits are confirmed in Postgres.",
      postgres,
      redis,
      index,
    };
  }
  return { status: "ok", message: "ready", postgres, redis, index };
}
