// The development index: the same contract as Redis, held in this process's memory.
// Single process only (one `next dev`); it starts empty (incomplete, like a fresh Redis)
// and is rebuilt per tag from Postgres on demand. Never used in production (env
// validation forbids it).
import { userTag } from "./keys";
import type {
  EndReason,
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

interface Stored {
  tokenHash: string;
  generation: number;
  validity: ValidityEntry;
  device: IndexedSession;
}

/** An ended session, remembered until its cookie could no longer be presented. */
interface Ended {
  reason: EndReason;
  until: number;
}

export class MemorySessionIndex implements SessionIndex {
  readonly kind = "memory" as const;
  private readonly byToken = new Map<string, Stored>();
  private readonly byUser = new Map<string, Map<string, Stored>>();
  private readonly ended = new Map<string, Ended>();
  /** Complete tags and when their marker lapses. */
  private readonly completeTags = new Map<string, number>();
  /** userId -> session generation (revoke-all). */
  private readonly generations = new Map<string, number>();
  private built = false;
  private rebuildClaimedUntil = 0;

  constructor(
    private readonly missingTtlMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  private live(s: Stored | undefined): s is Stored {
    return (
      !!s &&
      s.validity.expiresAt > this.now() &&
      this.byToken.get(s.tokenHash) === s &&
      s.generation >= (this.generations.get(s.validity.userId) ?? 0)
    );
  }

  private endedOf(hash: string): Ended | undefined {
    const e = this.ended.get(hash);
    if (e && e.until <= this.now()) this.ended.delete(hash);
    return e && e.until > this.now() ? e : undefined;
  }

  private isComplete(tag: string): boolean {
    const until = this.completeTags.get(tag);
    return until !== undefined && until > this.now();
  }

  private keepComplete(tag: string, expiresAt: number): boolean {
    if (!this.isComplete(tag)) return false;
    if (this.completeTags.get(tag)! < expiresAt) this.completeTags.set(tag, expiresAt);
    return true;
  }

  private userSessions(userId: string): Map<string, Stored> {
    let m = this.byUser.get(userId);
    if (!m) this.byUser.set(userId, (m = new Map()));
    return m;
  }

  /** Ends one session (by its stored entry or, if the index lost it, by hash alone). */
  private end(userId: string, sessionId: string | undefined, tokenHash: string | undefined, reason: EndReason): boolean {
    const sessions = this.userSessions(userId);
    const stored = sessionId ? sessions.get(sessionId) : undefined;
    const hash = tokenHash ?? stored?.tokenHash;
    if (sessionId) sessions.delete(sessionId);
    let present = false;
    if (hash) {
      const s = this.byToken.get(hash);
      if (this.live(s)) {
        present = true;
        this.ended.set(hash, { reason, until: s.validity.expiresAt });
      } else if (!this.endedOf(hash)) {
        this.ended.set(hash, { reason, until: this.now() + this.missingTtlMs });
      }
      if (s) this.userSessions(s.validity.userId).delete(s.validity.sessionId);
      this.byToken.delete(hash);
    }
    if (sessions.size === 0) this.byUser.delete(userId);
    return present;
  }

  private store(s: SessionToRecord): void {
    const stored: Stored = {
      tokenHash: s.tokenHash,
      generation: s.generation ?? 0,
      validity: { sessionId: s.sessionId, userId: s.userId, expiresAt: s.expiresAt, lastActiveAt: s.lastActiveAt, createdAt: s.createdAt },
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
        location: s.location,
        signInMethod: s.signInMethod,
        deviceFirstSeenAt: s.deviceFirstSeenAt,
        declaredClient: s.declaredClient ?? null,
      },
    };
    this.byToken.set(s.tokenHash, stored);
    this.userSessions(s.userId).set(s.sessionId, stored);
  }

  async record(s: SessionToRecord, mode: RecordMode): Promise<RecordResult> {
    const tag = userTag(s.userId);
    if (this.endedOf(s.tokenHash) || (s.generation ?? 0) < (this.generations.get(s.userId) ?? 0)) {
      return { recorded: false, complete: this.isComplete(tag), evicted: [] };
    }
    this.store(s);
    const complete = this.keepComplete(tag, s.expiresAt);
    const sessions = this.userSessions(s.userId);
    const evicted: string[] = [];
    if (mode.kind === "new" && mode.limit > 0 && sessions.size > mode.limit) {
      for (const [id, other] of sessions) if (!this.live(other)) sessions.delete(id);
      // Same order as the Redis ZSET: creation time, then token hash.
      const oldestFirst = [...sessions.values()].sort(
        (a, b) => a.device.createdAt - b.device.createdAt || (a.tokenHash < b.tokenHash ? -1 : 1),
      );
      while (sessions.size > mode.limit) {
        const victim = oldestFirst.shift()!;
        this.end(s.userId, victim.device.sessionId, victim.tokenHash, "evicted");
        evicted.push(victim.device.sessionId);
      }
    }
    return { recorded: true, complete, evicted };
  }

  async check(tag: string, tokenHash: string): Promise<IndexCheck> {
    const s = this.byToken.get(tokenHash);
    if (this.live(s)) return { kind: "live", entry: { ...s.validity } };
    // Still stored and unexpired but not live: below its user's generation (revoke-all).
    const stored = s as Stored | undefined;
    if (stored && stored.validity.expiresAt > this.now()) return { kind: "ended", reason: "revoked" };
    const e = this.endedOf(tokenHash);
    if (e) return { kind: "ended", reason: e.reason };
    return { kind: "miss", complete: this.isComplete(tag) };
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

  async remove(userId: string, refs: SessionRef[], sweep?: { keep: string | null }, reason: EndReason = "revoked"): Promise<string[]> {
    const removed = new Set<string>();
    for (const r of refs) if (this.end(userId, r.sessionId, r.tokenHash, reason)) removed.add(r.sessionId);
    if (sweep) {
      for (const [id, s] of [...this.userSessions(userId)]) {
        if (id !== sweep.keep && this.end(userId, id, s.tokenHash, reason)) removed.add(id);
      }
    }
    return [...removed];
  }

  async list(userId: string): Promise<IndexedSession[]> {
    return (await this.listChecked(userId)).sessions;
  }

  async listChecked(userId: string): Promise<{ complete: boolean; sessions: IndexedSession[] }> {
    const sessions = this.userSessions(userId);
    const out: IndexedSession[] = [];
    for (const [id, s] of sessions) {
      if (this.live(s)) out.push({ ...s.device, lastActiveAt: s.validity.lastActiveAt });
      else sessions.delete(id);
    }
    return { complete: this.isComplete(userTag(userId)), sessions: out.sort((a, b) => a.createdAt - b.createdAt) };
  }

  async count(userId: string): Promise<number> {
    return (await this.list(userId)).length;
  }

  async rebuildTag(tag: string, sessions: SessionToRecord[], markerTtlMs: number, generations: UserGeneration[] = []): Promise<number> {
    for (const u of generations) if (u.generation > (this.generations.get(u.userId) ?? 0)) this.generations.set(u.userId, u.generation);
    let added = 0;
    for (const s of sessions) {
      const generation = s.generation ?? 0;
      if (generation > (this.generations.get(s.userId) ?? 0)) this.generations.set(s.userId, generation);
      if (this.endedOf(s.tokenHash) || s.expiresAt <= this.now()) continue;
      const current = this.byToken.get(s.tokenHash);
      if (!this.live(current) || current.generation < generation) {
        this.store(s);
        added++;
      }
    }
    this.completeTags.set(tag, this.now() + markerTtlMs);
    return added;
  }

  async endAllBut(userId: string, generation: number, keep: SessionRef | null): Promise<{ kept: boolean; dropped: number }> {
    const before = this.generations.get(userId) ?? 0;
    const kept = keep ? this.byToken.get(keep.tokenHash) : undefined;
    // Postgres kept this row: follow it, even if a later revoke-all already ran here.
    const keepIt = !!kept && kept.validity.expiresAt > this.now() && this.byToken.get(kept.tokenHash) === kept;
    const listed = this.userSessions(userId).size;
    if (generation > before) this.generations.set(userId, generation);
    if (keepIt && kept) {
      kept.generation = Math.max(kept.generation, generation);
      this.userSessions(userId).set(kept.validity.sessionId, kept);
    }
    // The user's list keeps only what is live in the new generation.
    for (const [id, s] of [...this.userSessions(userId)]) if (!this.live(s)) this.userSessions(userId).delete(id);
    return { kept: keepIt, dropped: listed - this.userSessions(userId).size };
  }

  async isBuilt(): Promise<boolean> {
    return this.built;
  }

  async markBuilt(): Promise<void> {
    this.built = true;
  }

  async claimRebuild(ttlMs: number): Promise<boolean> {
    if (this.rebuildClaimedUntil > this.now()) return false;
    this.rebuildClaimedUntil = this.now() + ttlMs;
    return true;
  }

  async releaseRebuild(): Promise<void> {
    this.rebuildClaimedUntil = 0;
  }

  async clear(): Promise<void> {
    this.byToken.clear();
    this.byUser.clear();
    this.ended.clear();
    this.completeTags.clear();
    this.generations.clear();
    this.built = false;
  }
}
