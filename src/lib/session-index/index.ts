// Picks the index for this process: Redis when configured, otherwise (development and
// tests only; env validation refuses production without Redis) the in-process one.
// Shared on globalThis so the proxy and route handlers use the same instance.
import { env } from "@/lib/env";
import { getRedisClient } from "@/lib/redis/client";
import { guard } from "./circuit";
import { MemorySessionIndex } from "./memory";
import { RedisSessionIndex } from "./redis";
import type { SessionIndex } from "./types";

export * from "./types";
export { hashToken, tagOfToken, userTag, TAG_LENGTH } from "./keys";
export { CircuitOpenError } from "./breaker";

const globalForIndex = globalThis as unknown as { __revocableIndex?: SessionIndex };

function create(): SessionIndex {
  const client = getRedisClient();
  if (client) {
    const e = env();
    return guard(
      new RedisSessionIndex(client, {
        prefix: e.REDIS_KEY_PREFIX,
        maxLifetimeMs: e.SESSION_MAX_LIFETIME * 1000,
        waitReplicas: e.REDIS_WAIT_REPLICAS,
        waitTimeoutMs: Math.max(10, Math.floor(e.REDIS_COMMAND_TIMEOUT_MS / 2)),
      }),
    );
  }
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
