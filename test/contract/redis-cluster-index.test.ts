// The same contract on a real 3-master Redis Cluster through ioredis.Cluster
// (the app works on Redis Cluster: no script or transaction spans hash slots).
import calculateSlot from "cluster-key-slot";
import { Cluster } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetEnvForTests } from "@/lib/env";
import { createRedisClient } from "@/lib/redis/client";
import { userTag } from "@/lib/session-index";
import { RedisSessionIndex } from "@/lib/session-index/redis";
import { OwnRedisCluster } from "../support/redis-cluster";
import { makeSession, runSessionIndexContract } from "./session-index.contract";

let cluster: OwnRedisCluster;
beforeAll(async () => {
  cluster = await OwnRedisCluster.start(3);
}, 60_000);
afterAll(async () => cluster?.stop());

function connect() {
  return new Cluster(
    cluster.ports.map((port) => ({ host: "127.0.0.1", port })),
    { redisOptions: { commandTimeout: 2_000 } },
  );
}

async function keysMatching(client: Cluster, pattern: string): Promise<string[]> {
  const all: string[] = [];
  for (const node of client.nodes("master")) all.push(...(await node.keys(pattern)));
  return all;
}

runSessionIndexContract("redis cluster (3 masters)", async () => {
  const client = connect();
  const index = new RedisSessionIndex(client, { prefix: "rvc" });
  return {
    index,
    inspect: {
      keysOfUser: (userId) => keysMatching(client, `rvc:{${userTag(userId)}}:*`),
      ttlMs: (key) => client.pttl(key),
      slotOf: (key) => calculateSlot(key),
    },
    close: async () => {
      await index.clear();
      client.disconnect();
    },
  };
});

describe("configuration", () => {
  it("REDIS_CLUSTER_NODES makes the app talk to the cluster through ioredis.Cluster", async () => {
    const saved = process.env.REDIS_CLUSTER_NODES;
    process.env.REDIS_CLUSTER_NODES = cluster.nodes;
    resetEnvForTests();
    try {
      const client = createRedisClient();
      expect(client).toBeInstanceOf(Cluster);
      const index = new RedisSessionIndex(client, { prefix: "rvenv" });
      const s = makeSession("env_user");
      await index.record(s, { kind: "new", limit: 3 });
      expect(await index.lookup(userTag("env_user"), s.tokenHash)).not.toBeNull();
      await index.clear();
      client.disconnect();
    } finally {
      if (saved === undefined) delete process.env.REDIS_CLUSTER_NODES;
      else process.env.REDIS_CLUSTER_NODES = saved;
      resetEnvForTests();
    }
  });
});

describe("cluster spread", () => {
  it("spreads users over all masters while each user's keys stay in one slot", async () => {
    const client = connect();
    const index = new RedisSessionIndex(client, { prefix: "rvs" });
    const users = Array.from({ length: 60 }, (_, i) => `spread_user_${i}`);
    for (const u of users) {
      await index.record(makeSession(u), { kind: "new", limit: 2 });
      await index.record(makeSession(u), { kind: "new", limit: 2 });
      expect((await index.record(makeSession(u), { kind: "new", limit: 2 })).evicted).toHaveLength(1);
    }
    const perMaster = await Promise.all(client.nodes("master").map(async (n) => (await n.keys("rvs:*")).length));
    expect(perMaster.every((n) => n > 0)).toBe(true);
    for (const u of users.slice(0, 5)) expect(await index.remove(u, [], { keep: null })).toHaveLength(2);
    await index.clear();
    client.disconnect();
  });
});
