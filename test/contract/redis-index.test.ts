import { randomBytes } from "node:crypto";
import calculateSlot from "cluster-key-slot";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { RedisSessionIndex } from "@/lib/session-index/redis";
import { userTag } from "@/lib/session-index";
import { makeSession, runSessionIndexContract } from "./session-index.contract";

function connect() {
  const client = new Redis(process.env.REDIS_URL!);
  const prefix = `c${randomBytes(3).toString("hex")}`;
  return { client, prefix, index: new RedisSessionIndex(client, { prefix }) };
}

runSessionIndexContract("redis", async () => {
  const { client, prefix, index } = connect();
  return {
    index,
    inspect: {
      keysOfUser: async (userId) => client.keys(`${prefix}:{${userTag(userId)}}:*`),
      ttlMs: (key) => client.pttl(key),
      slotOf: (key) => calculateSlot(key),
    },
    close: async () => {
      await index.clear();
      client.disconnect();
    },
  };
});

describe("redis index round trips", () => {
  it("revokes 1,000 sessions, lists 50, and checks one in a single round trip each", async () => {
    const { client, index } = connect();
    const user = `u_${randomBytes(6).toString("hex")}`;
    const sessions = Array.from({ length: 1000 }, (_, i) => makeSession(user, { createdAt: Date.now() + i }));
    const pipeline = sessions.map((s) => index.record(s, { kind: "new", limit: 0 }));
    await Promise.all(pipeline);
    // Count commands this client sends (scripts are loaded by now: EVALSHA only).
    let sent = 0;
    const original = client.sendCommand.bind(client);
    client.sendCommand = ((...args: Parameters<typeof original>) => {
      sent++;
      return original(...args);
    }) as typeof client.sendCommand;

    sent = 0;
    expect((await index.check(userTag(user), sessions[5]!.tokenHash)).kind).toBe("live");
    expect(sent).toBe(1);
    sent = 0; // a miss answers "complete or not" in the same round trip
    expect(await index.check(userTag(user), "no-such-hash")).toEqual({ kind: "miss", complete: false });
    expect(sent).toBe(1);

    const other = `u_${randomBytes(6).toString("hex")}`;
    client.sendCommand = original;
    for (const s of Array.from({ length: 50 }, () => makeSession(other))) await index.record(s, { kind: "new", limit: 0 });
    client.sendCommand = ((...args: Parameters<typeof original>) => {
      sent++;
      return original(...args);
    }) as typeof client.sendCommand;
    sent = 0;
    expect((await index.list(other)).length).toBe(50);
    expect(sent).toBe(1);

    sent = 0;
    const removed = await index.remove(user, [], { keep: sessions[0]!.sessionId });
    expect(sent).toBe(1);
    expect(removed.length).toBe(999);
    expect(await index.count(user)).toBe(1);
    client.sendCommand = original;
    await index.clear();
    client.disconnect();
  });
});
