// The app's index on a redis-server of the test's own (which the test may stop, freeze or
// restart), behind the same circuit breaker the app uses, set as this process's index.
import { createRedisClient } from "@/lib/redis/client";
import { setSessionIndexForTests } from "@/lib/session-index";
import { guard } from "@/lib/session-index/circuit";
import type { GuardedSessionIndex } from "@/lib/session-index/guarded";
import { RedisSessionIndex } from "@/lib/session-index/redis";
import { OwnRedis } from "./redis-server";

export interface OwnIndex {
  own: OwnRedis;
  client: ReturnType<typeof createRedisClient>;
  index: GuardedSessionIndex;
}

/** Starts the server and makes it this process's index; `cooldownMs` is the breaker's. */
export async function useOwnRedisIndex(cooldownMs = 300): Promise<OwnIndex> {
  const own = await OwnRedis.start();
  const client = createRedisClient(own.url);
  const index = guard(new RedisSessionIndex(client, { prefix: "rv" }), cooldownMs);
  setSessionIndexForTests(index);
  return { own, client, index };
}

/** Back to the shared index; the server and its client stopped (nothing to do if none). */
export async function releaseOwnRedisIndex(o: OwnIndex | undefined): Promise<void> {
  setSessionIndexForTests(undefined);
  o?.client.disconnect();
  await o?.own.stop();
}
