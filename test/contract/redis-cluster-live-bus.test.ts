// The live bus on a real 3-master Redis Cluster: sharded pub/sub (SSUBSCRIBE/SPUBLISH), each
// user's channel in the user's slot. Two "instances" are two buses on two cluster clients made
// the way the app makes its client (REDIS_CLUSTER_NODES), driven through the bus's public API.
import calculateSlot from "cluster-key-slot";
import { Cluster, type Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetEnvForTests } from "@/lib/env";
import type { LiveEvent } from "@/lib/live/events";
import { RedisLiveBus } from "@/lib/live/bus";
import { createRedisClient } from "@/lib/redis/client";
import { userTag } from "@/lib/session-index";
import { OwnRedisCluster } from "../support/redis-cluster";

let cluster: OwnRedisCluster;
let savedNodes: string | undefined;
const clients: Cluster[] = [];
const buses: RedisLiveBus[] = [];

beforeAll(async () => {
  cluster = await OwnRedisCluster.start(3);
  savedNodes = process.env.REDIS_CLUSTER_NODES;
  process.env.REDIS_CLUSTER_NODES = cluster.nodes;
  resetEnvForTests();
}, 60_000);

afterAll(async () => {
  await Promise.all(buses.map((b) => b.close()));
  for (const c of clients) c.disconnect();
  if (savedNodes === undefined) delete process.env.REDIS_CLUSTER_NODES;
  else process.env.REDIS_CLUSTER_NODES = savedNodes;
  resetEnvForTests();
  await cluster?.stop();
});

/** One app instance's bus: its own cluster client, as src/lib/redis/client.ts makes it. */
function instance(): RedisLiveBus {
  const client = createRedisClient();
  expect(client).toBeInstanceOf(Cluster);
  clients.push(client as Cluster);
  const bus = new RedisLiveBus(client, "rvlive");
  buses.push(bus);
  return bus;
}

/** The master that serves `key`'s slot. */
let probe: Cluster | undefined;
async function masterOf(key: string): Promise<Redis> {
  if (!probe) {
    probe = new Cluster(cluster.ports.map((port) => ({ host: "127.0.0.1", port })));
    clients.push(probe);
    await probe.ping();
  }
  const slot = calculateSlot(key);
  const slots = await probe.cluster("SLOTS");
  const owner = slots.find(([from, to]) => slot >= from && slot <= to)?.[2];
  const node = probe.nodes("master").find((n) => n.options.port === owner?.[1]);
  if (!node) throw new Error(`no master for slot ${slot}`);
  return node;
}

function nextEvent(bus: RedisLiveBus, userId: string, timeoutMs = 2_000): { event: Promise<LiveEvent>; stop: () => void } {
  let stop = () => {};
  const event = new Promise<LiveEvent>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no event for ${userId} within ${timeoutMs} ms`)), timeoutMs);
    stop = bus.subscribe(userId, (e) => {
      clearTimeout(timer);
      resolve(e);
    });
  });
  return { event, stop };
}

describe("live bus on a Redis Cluster (sharded pub/sub)", () => {
  it("an event published on one instance reaches a subscriber on another, for users in every master's slots", async () => {
    const subscriberSide = instance();
    const publisherSide = instance();
    // Users until every master owns at least one of their channels (slots spread over 3 masters).
    const users: string[] = [];
    const owners = new Set<number>();
    for (let i = 0; owners.size < 3 && i < 200; i++) {
      const userId = `cluster-live-user-${i}`;
      users.push(userId);
      owners.add((await masterOf(subscriberSide.channelOf(userId))).options.port!);
    }
    expect(owners.size).toBe(3);

    const waits = users.map((u) => nextEvent(subscriberSide, u));
    await subscriberSide.settled();
    for (const u of users) await publisherSide.publish(u, { type: "session.ended", sessionId: `s-${u}`, reason: "revoke" });
    const received = await Promise.all(waits.map((w) => w.event));
    expect(received).toEqual(users.map((u) => ({ type: "session.ended", sessionId: `s-${u}`, reason: "revoke" })));
    for (const w of waits) w.stop();
  });

  it("the channel is a shard channel in the user's slot, subscribed once per instance and dropped with the last listener", async () => {
    const bus = instance();
    const userId = "cluster-live-slot-user";
    const channel = bus.channelOf(userId);
    // Same slot as the user's index keys: the {tag} decides it.
    expect(calculateSlot(channel)).toBe(calculateSlot(`rvlive:{${userTag(userId)}}:anything`));
    const master = await masterOf(channel);
    const shardSubscribers = async () => Number(((await master.call("PUBSUB", "SHARDNUMSUB", channel)) as [string, number])[1]);

    const stopOne = bus.subscribe(userId, () => {});
    const stopTwo = bus.subscribe(userId, () => {});
    await bus.settled();
    expect(await shardSubscribers()).toBe(1);
    // Sharded, not classic pub/sub: no node lists it among the classic channels.
    for (const port of cluster.ports) {
      const node = probe!.nodes("master").find((n) => n.options.port === port)!;
      expect(await node.pubsub("CHANNELS", "rvlive:*")).toEqual([]);
    }
    stopOne();
    await bus.settled();
    expect(await shardSubscribers()).toBe(1);
    stopTwo();
    await bus.settled();
    expect(await shardSubscribers()).toBe(0);
  });

  it("a subscriber never receives another user's events, even from the same shard", async () => {
    const subscriberSide = instance();
    const publisherSide = instance();
    const alice = "cluster-live-alice";
    // Bob's channel on Alice's master: one shard, one subscriber connection, messages in order.
    const aliceMaster = (await masterOf(subscriberSide.channelOf(alice))).options.port;
    let bob = "";
    for (let i = 0; !bob && i < 200; i++) {
      const candidate = `cluster-live-bob-${i}`;
      if ((await masterOf(subscriberSide.channelOf(candidate))).options.port === aliceMaster) bob = candidate;
    }
    expect(bob).not.toBe("");
    const mine: LiveEvent[] = [];
    const stop = subscriberSide.subscribe(alice, (e) => mine.push(e));
    const w = nextEvent(subscriberSide, alice);
    await subscriberSide.settled();
    await publisherSide.publish(bob, { type: "session.ended", sessionId: "bob-1", reason: "revoke" });
    // Alice's own event, published after Bob's through the same shard: once it is here, Bob's would have been too.
    await publisherSide.publish(alice, { type: "sessions.changed" });
    await w.event;
    w.stop();
    stop();
    expect(mine).toEqual([{ type: "sessions.changed" }]);
  });
});
