// The production index: Redis (standalone or Cluster) through ioredis.
// Every multi-key change is one Lua script over keys that share the user's hash tag.
import type { Cluster, Redis } from "ioredis";
import { decodeDevice, decodeValidity, encodeValidity, keysFor, userTag } from "./keys";
import { LIST, RECORD, REMOVE, TOUCH } from "./lua";
import type {
  IndexedSession,
  RecordMode,
  RecordResult,
  SessionIndex,
  SessionRef,
  SessionToRecord,
  ValidityEntry,
} from "./types";

type Client = Redis | Cluster;
type Script = "rvRecord" | "rvRemove" | "rvList" | "rvTouch";

export interface RedisIndexOptions {
  prefix: string;
  /** How long a removed session's tombstone blocks restores (ms). */
  tombstoneTtlMs?: number;
}

export class RedisSessionIndex implements SessionIndex {
  readonly kind = "redis" as const;
  private readonly prefix: string;
  private readonly tombstoneTtlMs: number;

  constructor(
    readonly client: Client,
    options: RedisIndexOptions,
  ) {
    this.prefix = options.prefix;
    this.tombstoneTtlMs = options.tombstoneTtlMs ?? 5 * 60_000;
    // defineCommand sends EVALSHA and falls back to EVAL once per node: one round trip.
    client.defineCommand("rvRecord", { numberOfKeys: 3, lua: RECORD });
    client.defineCommand("rvRemove", { numberOfKeys: 2, lua: REMOVE });
    client.defineCommand("rvList", { numberOfKeys: 1, lua: LIST });
    client.defineCommand("rvTouch", { numberOfKeys: 1, lua: TOUCH });
  }

  private cmd(name: Script, ...args: (string | number)[]): Promise<unknown> {
    return (this.client as unknown as Record<Script, (...a: (string | number)[]) => Promise<unknown>>)[name](...args);
  }

  async record(s: SessionToRecord, mode: RecordMode): Promise<RecordResult> {
    const k = keysFor(this.prefix, userTag(s.userId));
    const reply = (await this.cmd(
      "rvRecord",
      k.validity(s.tokenHash),
      k.byCreation(s.userId),
      k.tombstones(s.userId),
      s.tokenHash,
      encodeValidity(s, s),
      s.expiresAt,
      s.createdAt,
      mode.kind,
      mode.kind === "new" ? mode.limit : 0,
      k.validityPrefix,
      this.tombstoneTtlMs,
    )) as (number | string)[];
    return { recorded: reply[0] === 1, evicted: reply.slice(1).map(String) };
  }

  async lookup(tag: string, tokenHash: string): Promise<ValidityEntry | null> {
    const raw = await this.client.get(keysFor(this.prefix, tag).validity(tokenHash));
    return raw ? decodeValidity(raw) : null;
  }

  async touch(tag: string, tokenHash: string, entry: ValidityEntry): Promise<void> {
    // Only the last-active field changes; the script keeps the TTL and never resurrects.
    await this.cmd("rvTouch", keysFor(this.prefix, tag).validity(tokenHash), entry.lastActiveAt);
  }

  async remove(userId: string, sessions: SessionRef[], sweep?: { keep: string | null }): Promise<string[]> {
    if (sessions.length === 0 && !sweep) return [];
    const k = keysFor(this.prefix, userTag(userId));
    const reply = (await this.cmd(
      "rvRemove",
      k.byCreation(userId),
      k.tombstones(userId),
      k.validityPrefix,
      this.tombstoneTtlMs,
      sweep ? "all" : "",
      sweep?.keep ?? "",
      ...sessions.map((s) => s.tokenHash),
    )) as string[];
    return [...new Set(reply.map(String))];
  }

  async list(userId: string): Promise<IndexedSession[]> {
    const k = keysFor(this.prefix, userTag(userId));
    const values = (await this.cmd("rvList", k.byCreation(userId), k.validityPrefix)) as string[];
    const out: IndexedSession[] = [];
    for (const raw of values) {
      const v = decodeValidity(raw);
      const d = decodeDevice(raw);
      if (!v || !d) continue;
      out.push({ sessionId: v.sessionId, expiresAt: v.expiresAt, lastActiveAt: v.lastActiveAt, ...d });
    }
    return out;
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
