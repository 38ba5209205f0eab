// The production index: Redis (standalone or Cluster) through ioredis.
// Every multi-key change is one Lua script over keys that share the user's hash tag.
import type { Cluster, Redis } from "ioredis";
import { decodeDevice, decodeEnded, decodeValidity, encodeValidity, globalKeysFor, keysFor, userTag, type EndReason } from "./keys";
import { CHECK, END_ALL_BUT, LIST, REBUILD, RECORD, REMOVE, TOUCH } from "./lua";
import type {
  IndexCheck,
  IndexedSession,
  RecordMode,
  RecordResult,
  SessionIndex,
  SessionRef,
  SessionToRecord,
  UserGeneration,
  ValidityEntry,
} from "./types";

type Client = Redis | Cluster;
type Script = "rvCheck" | "rvRecord" | "rvRemove" | "rvList" | "rvTouch" | "rvRebuild" | "rvEndAllBut";

export interface RedisIndexOptions {
  prefix: string;
  /** How long the ended marker of a session the index did not hold blocks restores (ms):
   *  its real expiry is unknown there. Ended sessions the index held keep their own TTL. */
  tombstoneTtlMs?: number;
  /** The longest a session lives (ms): how long a user's generation is kept after a
   *  revoke-all, so no session it ended outlives it. */
  maxLifetimeMs?: number;
  /** Replicas that must hold a write that ends sessions (or records one) before it counts
   *  as done (WAIT). With a failover (Sentinel, Cluster) a promoted replica could lack
   *  a removal the old master took: 0 trusts the master alone. */
  waitReplicas?: number;
  /** How long WAIT may take (ms), below the command timeout. */
  waitTimeoutMs?: number;
}

export class RedisSessionIndex implements SessionIndex {
  readonly kind = "redis" as const;
  private readonly prefix: string;
  private readonly tombstoneTtlMs: number;
  private readonly maxLifetimeMs: number;
  private readonly waitReplicas: number;
  private readonly waitTimeoutMs: number;

  constructor(
    readonly client: Client,
    options: RedisIndexOptions,
  ) {
    this.prefix = options.prefix;
    this.tombstoneTtlMs = options.tombstoneTtlMs ?? 5 * 60_000;
    this.maxLifetimeMs = options.maxLifetimeMs ?? 30 * 24 * 3600_000;
    this.waitReplicas = options.waitReplicas ?? 0;
    this.waitTimeoutMs = options.waitTimeoutMs ?? 100;
    // defineCommand sends EVALSHA and falls back to EVAL once per node: one round trip.
    client.defineCommand("rvCheck", { numberOfKeys: 3, lua: CHECK });
    client.defineCommand("rvRecord", { numberOfKeys: 5, lua: RECORD });
    client.defineCommand("rvRemove", { numberOfKeys: 1, lua: REMOVE });
    client.defineCommand("rvList", { numberOfKeys: 3, lua: LIST });
    client.defineCommand("rvEndAllBut", { numberOfKeys: 4, lua: END_ALL_BUT });
    client.defineCommand("rvTouch", { numberOfKeys: 1, lua: TOUCH });
    // KEYS vary with the tag's size: the count is passed first on each call.
    client.defineCommand("rvRebuild", { lua: REBUILD });
  }

  private cmd(name: Script, ...args: (string | number)[]): Promise<unknown> {
    return (this.client as unknown as Record<Script, (...a: (string | number)[]) => Promise<unknown>>)[name](...args);
  }

  /**
   * A write that must survive a failover: the script, then WAIT on the same connection (a
   * pipeline, so a Cluster sends both to the slot's node). Fewer replicas than asked for
   * is a failure: the caller keeps the change owed in the backlog and it is applied again.
   */
  private async durable(name: Script, ...args: (string | number)[]): Promise<unknown> {
    if (this.waitReplicas <= 0) return this.cmd(name, ...args);
    const pipeline = this.client.pipeline() as unknown as Record<Script, (...a: (string | number)[]) => unknown> & {
      wait: (n: number, ms: number) => unknown;
      exec: () => Promise<[Error | null, unknown][] | null>;
    };
    pipeline[name](...args);
    pipeline.wait(this.waitReplicas, this.waitTimeoutMs);
    const replies = await pipeline.exec();
    const [script, wait] = replies ?? [];
    if (!script || script[0]) throw script?.[0] ?? new Error("Redis pipeline failed");
    if (!wait || wait[0]) throw wait?.[0] ?? new Error("Redis WAIT failed");
    if (Number(wait[1]) < this.waitReplicas) {
      throw new Error(`Redis: the write reached ${String(wait[1])} of ${this.waitReplicas} replicas in ${this.waitTimeoutMs} ms`);
    }
    return script[1];
  }

  async record(s: SessionToRecord, mode: RecordMode): Promise<RecordResult> {
    const k = keysFor(this.prefix, userTag(s.userId));
    const reply = (await this.durable(
      "rvRecord",
      k.validity(s.tokenHash),
      k.byCreation(s.userId),
      k.complete,
      k.generations,
      k.nextGeneration(s.userId),
      s.tokenHash,
      encodeValidity(s, s),
      s.expiresAt,
      s.createdAt,
      mode.kind,
      mode.kind === "new" ? mode.limit : 0,
      k.validityPrefix,
      s.userId,
      s.generation ?? 0,
    )) as (number | string)[];
    return { recorded: reply[0] === 1, complete: reply[1] === 1, evicted: reply.slice(2).map(String) };
  }

  async check(tag: string, tokenHash: string): Promise<IndexCheck> {
    const k = keysFor(this.prefix, tag);
    const reply = (await this.cmd("rvCheck", k.validity(tokenHash), k.complete, k.generations)) as string | number;
    if (typeof reply === "number") return { kind: "miss", complete: reply === 1 };
    const reason = decodeEnded(reply);
    if (reason) return { kind: "ended", reason };
    const entry = decodeValidity(reply);
    // A value this code cannot read is treated as lost: Postgres decides.
    return entry ? { kind: "live", entry } : { kind: "miss", complete: false };
  }

  async lookup(tag: string, tokenHash: string): Promise<ValidityEntry | null> {
    const found = await this.check(tag, tokenHash);
    return found.kind === "live" ? found.entry : null;
  }

  async endAllBut(userId: string, generation: number, keep: SessionRef | null): Promise<{ kept: boolean; dropped: number }> {
    const k = keysFor(this.prefix, userTag(userId));
    const [kept, dropped] = (await this.durable(
      "rvEndAllBut",
      k.generations,
      k.byCreation(userId),
      keep ? k.validity(keep.tokenHash) : k.complete,
      k.nextGeneration(userId),
      userId,
      generation,
      this.maxLifetimeMs,
      keep?.tokenHash ?? "",
      k.validityPrefix,
    )) as [number, number];
    return { kept: kept === 1, dropped };
  }

  async touch(tag: string, tokenHash: string, entry: ValidityEntry): Promise<void> {
    // Only the last-active field changes; the script keeps the TTL and never resurrects.
    await this.cmd("rvTouch", keysFor(this.prefix, tag).validity(tokenHash), entry.lastActiveAt);
  }

  async remove(
    userId: string,
    sessions: SessionRef[],
    sweep?: { keep: string | null },
    reason: EndReason = "revoked",
  ): Promise<string[]> {
    if (sessions.length === 0 && !sweep) return [];
    const k = keysFor(this.prefix, userTag(userId));
    const reply = (await this.durable(
      "rvRemove",
      k.byCreation(userId),
      k.validityPrefix,
      this.tombstoneTtlMs,
      sweep ? "all" : "",
      sweep?.keep ?? "",
      reason,
      ...sessions.map((s) => s.tokenHash),
    )) as string[];
    return [...new Set(reply.map(String))];
  }

  async list(userId: string): Promise<IndexedSession[]> {
    return (await this.listChecked(userId)).sessions;
  }

  async listChecked(userId: string): Promise<{ complete: boolean; sessions: IndexedSession[] }> {
    const k = keysFor(this.prefix, userTag(userId));
    const [complete, ...values] = (await this.cmd("rvList", k.byCreation(userId), k.complete, k.generations, k.validityPrefix)) as [
      number,
      ...string[],
    ];
    const out: IndexedSession[] = [];
    for (const raw of values) {
      const v = decodeValidity(raw);
      const d = decodeDevice(raw);
      if (!v || !d) continue;
      out.push({ sessionId: v.sessionId, expiresAt: v.expiresAt, lastActiveAt: v.lastActiveAt, ...d });
    }
    return { complete: complete === 1, sessions: out };
  }

  async rebuildTag(tag: string, sessions: SessionToRecord[], markerTtlMs: number, generations: UserGeneration[] = []): Promise<number> {
    const k = keysFor(this.prefix, tag);
    let added = 0;
    // Batches keep each script short; the marker goes in with the last one, so the tag is
    // never marked complete before every session of it is in.
    const BATCH = 500;
    for (let i = 0; i === 0 || i < sessions.length; i += BATCH) {
      const batch = sessions.slice(i, i + BATCH);
      const last = i + BATCH >= sessions.length;
      const keys = [k.complete, k.generations, ...batch.flatMap((s) => [k.validity(s.tokenHash), k.byCreation(s.userId)])];
      const args = batch.flatMap((s) => [encodeValidity(s, s), s.expiresAt, s.createdAt, s.tokenHash, s.userId, s.generation ?? 0]);
      // The users' generations go in with the first batch, before any session is judged.
      const gens = i === 0 ? generations.flatMap((u) => [u.userId, u.generation]) : [];
      added += (await this.durable("rvRebuild", keys.length, ...keys, last ? markerTtlMs : "", this.maxLifetimeMs, gens.length / 2, ...gens, ...args)) as number;
    }
    return added;
  }

  async isBuilt(): Promise<boolean> {
    return (await this.client.exists(globalKeysFor(this.prefix).built)) === 1;
  }

  async markBuilt(): Promise<void> {
    await this.client.set(globalKeysFor(this.prefix).built, String(Date.now()));
  }

  async claimRebuild(ttlMs: number): Promise<boolean> {
    return (await this.client.set(globalKeysFor(this.prefix).rebuilding, "1", "PX", ttlMs, "NX")) === "OK";
  }

  async releaseRebuild(): Promise<void> {
    await this.client.del(globalKeysFor(this.prefix).rebuilding);
  }

  /** Live sessions only (the ZSET may still hold entries whose validity key expired). */
  async count(userId: string): Promise<number> {
    return (await this.list(userId)).length;
  }

  async clear(): Promise<void> {
    // Only this app's keys: SCAN each master for the prefix (the DB may be shared).
    const nodes: Redis[] = "nodes" in this.client ? (this.client as Cluster).nodes("master") : [this.client as Redis];
    for (const node of nodes) {
      let cursor = "0";
      do {
        const [next, keys] = await node.scan(cursor, "MATCH", `${this.prefix}:*`, "COUNT", 1000);
        cursor = next;
        // One slot per key: UNLINK one by one keeps this Cluster-safe.
        if (keys.length) await Promise.all(keys.map((key) => node.unlink(key)));
      } while (cursor !== "0");
    }
  }
}
