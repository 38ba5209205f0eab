// The app's Redis client: how it is created (options, error logging) and the one
// process-wide instance that the session index and the rate limiter share.
import { Cluster, Redis } from "ioredis";
import { env } from "@/lib/env";

export type RedisClient = Redis | Cluster;

const globalForRedis = globalThis as unknown as { __revocableRedis?: RedisClient | null };

/** "host:port,host:port" as ioredis's node list. */
function hostPorts(list: string): { host: string; port: number }[] {
  return list.split(",").map((hp) => {
    const [host, port] = hp.split(":");
    return { host: host!, port: Number(port) };
  });
}

/** A new client for REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS (or for `urlOverride`: tests, tools). */
export function createRedisClient(urlOverride?: string): RedisClient {
  const e = env();
  const common = {
    // A slow or dead Redis must not hold requests: fail fast and fall back to Postgres.
    commandTimeout: e.REDIS_COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
  };
  if (e.REDIS_CLUSTER_NODES && !urlOverride) {
    return new Cluster(hostPorts(e.REDIS_CLUSTER_NODES), { redisOptions: common, enableOfflineQueue: true });
  }
  // Sentinel: ioredis asks the sentinels for the current master and, after a failover,
  // reconnects to the promoted replica (failoverDetector: told by the sentinels at once).
  const client =
    e.REDIS_SENTINELS && !urlOverride
      ? new Redis({ ...common, sentinels: hostPorts(e.REDIS_SENTINELS), name: e.REDIS_SENTINEL_NAME, failoverDetector: true })
      : new Redis(urlOverride ?? e.REDIS_URL!, common);
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
export function getRedisClient(): RedisClient | null {
  if (globalForRedis.__revocableRedis === undefined) {
    const e = env();
    globalForRedis.__revocableRedis = e.REDIS_URL || e.REDIS_CLUSTER_NODES || e.REDIS_SENTINELS ? createRedisClient() : null;
  }
  return globalForRedis.__revocableRedis;
}
