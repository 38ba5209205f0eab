// The production index: Redis (standalone or Cluster) through ioredis.
// Every multi-key change is one Lua script over keys that share the user's hash tag.
import type { Cluster, Redis } from "ioredis";
import { decodeValidity, encodeValidity, keysFor, userTag } from "./keys";
import { LIST, RECORD, REMOVE } from "./lua";
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

interface StoredDevice {
  h: string; // token hash: finds the validity key
  c: number; // created
  e: number; // expires
  b: string | null;
  o: string | null;
  d: string;
  l: string;
  ip: string | null;
}

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
    client.defineCommand("rvRecord", { numberOfKeys: 4, lua: RECORD });
    client.defineCommand("rvRemove", { numberOfKeys: 2, lua: REMOVE });
    client.defineCommand("rvList", { numberOfKeys: 2, lua: LIST });
  }

  private cmd(name: "rvRecord" | "rvRemove" | "rvList", ...args: (string | number)[]): Promise<unknown> {
    return (this.client as unknown as Record<string, (...a: (string | number)[]) => Promise<unknown>>)[name]!(
      ...args,
    );
  }

  async record(s: SessionToRecord, mode: RecordMode): Promise<RecordResult> {
    const k = keysFor(this.prefix, userTag(s.userId));
    const device: StoredDevice = {
      h: s.tokenHash,
      c: s.createdAt,
      e: s.expiresAt,
      b: s.browser,
      o: s.os,
      d: s.deviceType,
      l: s.label,
      ip: s.ipAddress,
    };
    const reply = (await this.cmd(
      "rvRecord",
      k.validity(s.tokenHash),
      k.byCreation(s.userId),
      k.devices(s.userId),
      k.tombstone(s.tokenHash),
      s.sessionId,
      encodeValidity(s),
      s.expiresAt,
      s.createdAt,
      JSON.stringify(device),
      mode.kind,
      mode.kind === "new" ? mode.limit : 0,
      k.validityPrefix,
      k.tombstonePrefix,
      this.tombstoneTtlMs,
    )) as (number | string)[];
    return { recorded: reply[0] === 1, evicted: reply.slice(1).map(String) };
  }

  async lookup(tag: string, tokenHash: string): Promise<ValidityEntry | null> {
    const raw = await this.client.get(keysFor(this.prefix, tag).validity(tokenHash));
    return raw ? decodeValidity(raw) : null;
  }

  async touch(tag: string, tokenHash: string, entry: ValidityEntry): Promise<void> {
    // XX: never resurrect a session removed since the look-up; KEEPTTL: expiry stays absolute.
    await this.client.set(keysFor(this.prefix, tag).validity(tokenHash), encodeValidity(entry), "KEEPTTL", "XX");
  }

  async remove(userId: string, sessions: SessionRef[], sweep?: { keep: string | null }): Promise<string[]> {
    if (sessions.length === 0 && !sweep) return [];
    const k = keysFor(this.prefix, userTag(userId));
    const pairs = sessions.flatMap((s) => [s.sessionId, s.tokenHash]);
    const reply = (await this.cmd(
      "rvRemove",
      k.byCreation(userId),
      k.devices(userId),
      k.validityPrefix,
      k.tombstonePrefix,
      this.tombstoneTtlMs,
      sweep ? "all" : "",
      sweep?.keep ?? "",
      ...pairs,
    )) as string[];
    return reply.map(String);
  }

  async list(userId: string): Promise<IndexedSession[]> {
    const k = keysFor(this.prefix, userTag(userId));
    const flat = (await this.cmd("rvList", k.byCreation(userId), k.devices(userId), k.validityPrefix)) as string[];
    const out: IndexedSession[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const d = JSON.parse(flat[i]!) as StoredDevice;
      const v = decodeValidity(flat[i + 1]!);
      if (!v) continue;
      out.push({
        sessionId: v.sessionId,
        createdAt: d.c,
        expiresAt: d.e,
        lastActiveAt: v.lastActiveAt,
        browser: d.b,
        os: d.o,
        deviceType: d.d,
        label: d.l,
        ipAddress: d.ip,
      });
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
