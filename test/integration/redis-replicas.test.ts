// A failover promotes a replica, which may lack the last writes its master took. With
// REDIS_WAIT_REPLICAS a write that ends sessions counts as done only once a replica holds
// it (WAIT); if none does in time the change stays owed in the shared backlog and is
// applied again, instead of being acknowledged and lost with the old master.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { sessionIndexBacklog } from "@/db/schema";
import { flushBackground } from "@/lib/background";
import { createRedisClient } from "@/lib/redis/client";
import { hashToken, setSessionIndexForTests, tagOfToken } from "@/lib/session-index";
import { guard } from "@/lib/session-index/circuit";
import { RedisSessionIndex } from "@/lib/session-index/redis";
import { drainBacklog } from "@/lib/sessions/index-health";
import { revokeSessions } from "@/lib/sessions/lifecycle";
import { freePort } from "../support/ports";
import { OwnRedis, waitForPing } from "../support/redis-server";
import { pause, sessionIdOf, tokenOf, userWithDevices } from "../support/sessions";

/** A replica of `master` on a port of its own. */
async function startReplica(master: OwnRedis): Promise<{ proc: ChildProcess; port: number }> {
  // The master streams its snapshot for the replica's first sync: nothing written into the
  // working tree.
  const m = new Redis(master.url);
  await m.config("SET", "repl-diskless-sync", "yes");
  await m.config("SET", "repl-diskless-sync-delay", "0");
  m.disconnect();
  const port = await freePort();
  const proc = spawn(
    "redis-server",
    // Its own directory: a replica writes the master's snapshot to disk when it syncs.
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", mkdtempSync(path.join(os.tmpdir(), "rv-replica-")),
      "--replicaof", "127.0.0.1", String(master.port)],
    { stdio: "ignore" },
  );
  await waitForPing(port);
  const c = new Redis({ port, host: "127.0.0.1" });
  try {
    for (let i = 0; i < 100 && !/master_link_status:up/.test(await c.info("replication")); i++) await pause(50);
  } finally {
    c.disconnect();
  }
  return { proc, port };
}

describe("session-ending writes wait for a replica (REDIS_WAIT_REPLICAS)", () => {
  let master: OwnRedis | undefined;
  let replica: { proc: ChildProcess; port: number } | undefined;
  let client: ReturnType<typeof createRedisClient> | undefined;
  afterEach(async () => {
    setSessionIndexForTests(undefined);
    client?.disconnect();
    replica?.proc.kill("SIGKILL");
    await master?.stop();
    await flushBackground();
  });

  it("counts a revoke once the replica holds it; keeps it owed while no replica answers", async () => {
    master = await OwnRedis.start();
    replica = await startReplica(master);
    client = createRedisClient(master.url);
    const index = guard(new RedisSessionIndex(client, { prefix: "rv", waitReplicas: 1, waitTimeoutMs: 100 }), 300);
    setSessionIndexForTests(index);
    const { userId, browsers } = await userWithDevices(3);
    const [, b, c] = browsers;

    // Replica up: the removal is done, and the replica itself says B ended.
    await revokeSessions(userId, { sessionIds: [await sessionIdOf(b!)] });
    await flushBackground();
    expect(await getDb().select().from(sessionIndexBacklog).where(eq(sessionIndexBacklog.userId, userId))).toEqual([]);
    const onReplica = new Redis({ port: replica.port, host: "127.0.0.1" });
    const bKey = `rv:{${tagOfToken(tokenOf(b!))}}:t:${hashToken(tokenOf(b!))}`;
    expect(await onReplica.get(bKey)).toBe("ended:revoked");

    // Replica stalled: the master takes C's removal but no replica confirms it, so it is
    // not counted done. It stays owed (every instance confirms the tag in Postgres).
    const cId = await sessionIdOf(c!);
    replica.proc.kill("SIGSTOP");
    await revokeSessions(userId, { sessionIds: [cId] });
    await flushBackground();
    expect(await getDb().select().from(sessionIndexBacklog).where(eq(sessionIndexBacklog.userId, userId))).toEqual([
      expect.objectContaining({ kind: "remove", sessionId: cId }),
    ]);

    // The replica catches up; a drain applies it again and this time it counts.
    replica.proc.kill("SIGCONT");
    await pause(350); // the breaker's cooldown, if the WAIT failures opened it
    for (let i = 0; i < 50 && (await drainBacklog()) > 0; i++) await pause(100);
    expect(await getDb().select().from(sessionIndexBacklog).where(eq(sessionIndexBacklog.userId, userId))).toEqual([]);
    const cKey = `rv:{${tagOfToken(tokenOf(c!))}}:t:${hashToken(tokenOf(c!))}`;
    expect(await onReplica.get(cKey)).toBe("ended:revoked");
    onReplica.disconnect();
  });
});
