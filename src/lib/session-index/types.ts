// The session index: Redis (or, in development, process memory) mirrors of the
// session rows that let every request be checked with one look-up.
import type { Device } from "@/lib/device";

/** What the per-request check reads: one value per live session, keyed by token hash. */
export interface ValidityEntry {
  sessionId: string;
  userId: string;
  expiresAt: number; // epoch ms, absolute
  lastActiveAt: number; // epoch ms, throttled
}


export interface SessionToRecord extends Device {
  sessionId: string;
  userId: string;
  tokenHash: string;
  createdAt: number;
  expiresAt: number;
  lastActiveAt: number;
}

export interface IndexedSession extends Device {
  sessionId: string;
  createdAt: number;
  expiresAt: number;
  lastActiveAt: number;
}

export interface SessionRef {
  sessionId: string;
  tokenHash: string;
}

export type RecordMode =
  /** A new sign-in: enforce the concurrent-session limit, evicting the oldest. */
  | { kind: "new"; limit: number }
  /** Re-adding a session Postgres still holds (index lost or behind): never evicts.
   *  Both modes refuse a token removed moments ago (tombstoned). */
  | { kind: "restore" };

export interface RecordResult {
  recorded: boolean;
  /** Session ids evicted by the limit: the caller must delete them from Postgres too. */
  evicted: string[];
}

export interface SessionIndex {
  readonly kind: "redis" | "memory";
  record(session: SessionToRecord, mode: RecordMode): Promise<RecordResult>;
  /** One look-up: the validity entry for a token hash, or null if none. */
  lookup(userTag: string, tokenHash: string): Promise<ValidityEntry | null>;
  /** Stores a newer lastActiveAt (the caller throttles). */
  touch(userTag: string, tokenHash: string, entry: ValidityEntry): Promise<void>;
  /** Removes the given sessions of one user and, with `sweep`, every other indexed
   *  session of that user except `sweep.keep`. Returns the ids that were present. */
  remove(userId: string, sessions: SessionRef[], sweep?: { keep: string | null }): Promise<string[]>;
  list(userId: string): Promise<IndexedSession[]>;
  count(userId: string): Promise<number>;
  /** Drops everything (tests, and the reindex command before a rebuild). */
  clear(): Promise<void>;
}
