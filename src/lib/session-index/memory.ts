// The development index: the same contract as Redis, held in this process's memory.
// Single process only (one `next dev`); it starts empty and the proxy's Postgres
// fallback refills it on demand. Never used in production (env validation forbids it).
import type {
  IndexedSession,
  RecordMode,
  RecordResult,
  SessionIndex,
  SessionRef,
  SessionToRecord,
  ValidityEntry,
} from "./types";

interface Stored {
  tokenHash: string;
  validity: ValidityEntry;
  device: IndexedSession;
}

export class MemorySessionIndex implements SessionIndex {
  readonly kind = "memory" as const;
  private readonly byToken = new Map<string, Stored>();
  private readonly byUser = new Map<string, Map<string, Stored>>();
  private readonly tombstones = new Map<string, number>();

  constructor(
    private readonly tombstoneTtlMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  private live(s: Stored | undefined): s is Stored {
    return !!s && s.validity.expiresAt > this.now() && this.byToken.get(s.tokenHash) === s;
  }

  private userSessions(userId: string): Map<string, Stored> {
    let m = this.byUser.get(userId);
    if (!m) this.byUser.set(userId, (m = new Map()));
    return m;
  }

  private drop(userId: string, sessionId: string, tokenHash: string | undefined): boolean {
    const sessions = this.userSessions(userId);
    const stored = sessions.get(sessionId);
    const hash = tokenHash ?? stored?.tokenHash;
    let present = sessions.delete(sessionId);
    if (hash) {
      this.tombstones.set(hash, this.now() + this.tombstoneTtlMs);
      present = this.byToken.delete(hash) || present;
    }
    if (sessions.size === 0) this.byUser.delete(userId);
    return present;
  }

  async record(s: SessionToRecord, mode: RecordMode): Promise<RecordResult> {
    for (const [hash, until] of this.tombstones) if (until <= this.now()) this.tombstones.delete(hash);
    const tomb = this.tombstones.get(s.tokenHash);
    if (tomb !== undefined && tomb > this.now()) return { recorded: false, evicted: [] };
    const stored: Stored = {
      tokenHash: s.tokenHash,
      validity: { sessionId: s.sessionId, userId: s.userId, expiresAt: s.expiresAt, lastActiveAt: s.lastActiveAt },
      device: {
        sessionId: s.sessionId,
        createdAt: s.createdAt,
        expiresAt: s.expiresAt,
        lastActiveAt: s.lastActiveAt,
        browser: s.browser,
        os: s.os,
        deviceType: s.deviceType,
        label: s.label,
        ipAddress: s.ipAddress,
      },
    };
    this.byToken.set(s.tokenHash, stored);
    const sessions = this.userSessions(s.userId);
    sessions.set(s.sessionId, stored);
    const evicted: string[] = [];
    if (mode.kind === "new" && mode.limit > 0 && sessions.size > mode.limit) {
      for (const [id, other] of sessions) if (!this.live(other)) sessions.delete(id);
      // Same order as the Redis ZSET: creation time, then token hash.
      const oldestFirst = [...sessions.values()].sort(
        (a, b) => a.device.createdAt - b.device.createdAt || (a.tokenHash < b.tokenHash ? -1 : 1),
      );
      while (sessions.size > mode.limit) {
        const victim = oldestFirst.shift()!;
        sessions.delete(victim.device.sessionId);
        this.byToken.delete(victim.tokenHash);
        this.tombstones.set(victim.tokenHash, this.now() + this.tombstoneTtlMs);
        evicted.push(victim.device.sessionId);
      }
    }
    return { recorded: true, evicted };
  }

  async lookup(_tag: string, tokenHash: string): Promise<ValidityEntry | null> {
    const s = this.byToken.get(tokenHash);
    return this.live(s) ? { ...s.validity } : null;
  }

  async touch(_tag: string, tokenHash: string, entry: ValidityEntry): Promise<void> {
    const s = this.byToken.get(tokenHash);
    if (!this.live(s)) return;
    s.validity = { ...s.validity, lastActiveAt: entry.lastActiveAt };
    s.device = { ...s.device, lastActiveAt: entry.lastActiveAt };
  }

  async remove(userId: string, refs: SessionRef[], sweep?: { keep: string | null }): Promise<string[]> {
    const removed = new Set<string>();
    for (const r of refs) if (this.drop(userId, r.sessionId, r.tokenHash)) removed.add(r.sessionId);
    if (sweep) {
      for (const id of [...this.userSessions(userId).keys()]) {
        if (id !== sweep.keep && this.drop(userId, id, undefined)) removed.add(id);
      }
    }
    return [...removed];
  }

  async list(userId: string): Promise<IndexedSession[]> {
    const sessions = this.userSessions(userId);
    const out: IndexedSession[] = [];
    for (const [id, s] of sessions) {
      if (this.live(s)) out.push({ ...s.device, lastActiveAt: s.validity.lastActiveAt });
      else sessions.delete(id);
    }
    return out.sort((a, b) => a.createdAt - b.createdAt);
  }

  async count(userId: string): Promise<number> {
    return (await this.list(userId)).length;
  }

  async clear(): Promise<void> {
    this.byToken.clear();
    this.byUser.clear();
    this.tombstones.clear();
  }
}
