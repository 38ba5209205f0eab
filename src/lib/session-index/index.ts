// Picks the index for this process: Redis when configured, otherwise (development and
// tests only; env validation refuses production without Redis) the in-process one.
// Shared on globalThis so the proxy and route handlers use the same instance.
import { EventEmitter } from "node:events";
import { Cluster, Redis } from "ioredis";
import { env } from "@/lib/env";
import { GuardedSessionIndex } from "./guarded";
import { MemorySessionIndex } from "./memory";
import { RedisSessionIndex } from "./redis";
import type { SessionIndex } from "./types";

export * from "./types";
export { hashToken, tagOfToken, userTag, TAG_LENGTH } from "./keys";
export { CircuitOpenError } from "./breaker";

const globalForIndex = globalThis as unknown as {
  __revocableIndex?: SessionIndex;
  __revocableIndexEvents?: EventEmitter;
  __revocableRedis?: Redis | Cluster | null;
};

/** "open": the index stopped answering; "close": it answers again. */
export const indexEvents: EventEmitter = (globalForIndex.__revocableIndexEvents ??= new EventEmitter());

export function createRedisClient(urlOverride?: string): Redis | Cluster {
  const e = env();
  const common = {
    // A slow or dead Redis must not hold requests: fail fast and fall back to Postgres.
    commandTimeout: e.REDIS_COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
  };
  if (e.REDIS_CLUSTER_NODES && !urlOverride) {
    const nodes = e.REDIS_CLUSTER_NODES.split(",").map((hp) => {
      const [host, port] = hp.split(":");
      return { host: host!, port: Number(port) };
    });
    return new Cluster(nodes, { redisOptions: common, enableOfflineQueue: true });
  }
  const client = new Redis(urlOverride ?? e.REDIS_URL!, common);
  // While Redis is down ioredis reports every reconnect attempt: log at most every 10 s.
  let lastLogged = 0;
  client.on("error", (err) => {
    if (Date.now() - lastLogged < 10_000) return;
    lastLogged = Date.now();
    console.warn("[redis]", err.message);
  });
  return client;
}

/** This process's Redis client, or null when none is configured (development). */
export function getRedisClient(): Redis | Cluster | null {
  if (globalForIndex.__revocableRedis === undefined) {
    const e = env();
    globalForIndex.__revocableRedis = e.REDIS_URL || e.REDIS_CLUSTER_NODES ? createRedisClient() : null;
  }
  return globalForIndex.__revocableRedis;
}

/** Wraps an index in the circuit breaker whose state changes reach indexEvents. */
export function guard(inner: SessionIndex, cooldownMs = env().REDIS_BREAKER_COOLDOWN_MS): GuardedSessionIndex {
  return new GuardedSessionIndex(inner, {
    cooldownMs,
    onOpen: () => {
      console.warn("[session-index] circuit open: Redis unreachable, answering from Postgres");
      indexEvents.emit("open");
    },
    onClose: () => {
      console.info("[session-index] circuit closed: Redis is back");
      indexEvents.emit("close");
    },
  });
}

function create(): SessionIndex {
  const client = getRedisClient();
  if (client) return guard(new RedisSessionIndex(client, { prefix: env().REDIS_KEY_PREFIX }));
  console.info("[session-index] REDIS_URL unset: using the in-process index (single process, development only)");
  return guard(new MemorySessionIndex());
}

export function getSessionIndex(): SessionIndex {
  globalForIndex.__revocableIndex ??= create();
  return globalForIndex.__revocableIndex;
}

/** Tests swap in an index bound to their own Redis DB. */
export function setSessionIndexForTests(index: SessionIndex | undefined): void {
  globalForIndex.__revocableIndex = index;
}
