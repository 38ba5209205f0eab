// The session index: Redis (or, in development, process memory) mirrors of the
// session rows that let every request be checked with one look-up.
import type { Device } from "@/lib/device";
import type { SignInContext } from "@/lib/sign-in-context";
import type { EndReason } from "./keys";

export type { EndReason } from "./keys";

/** What the per-request check reads: one value per live session, keyed by token hash. */
export interface ValidityEntry {
  sessionId: string;
  userId: string;
  expiresAt: number; // epoch ms, absolute
  lastActiveAt: number; // epoch ms, throttled
  /** When the session was signed in (epoch ms): absent only in index values written
   *  without their device details. */
  createdAt?: number;
}

export interface SessionToRecord extends Device, SignInContext {
  /** The user's session generation the row carries (absent = 0, never bumped). */
  generation?: number;
  sessionId: string;
  userId: string;
  tokenHash: string;
  createdAt: number;
  expiresAt: number;
  lastActiveAt: number;
}

export interface IndexedSession extends Device, SignInContext {
  sessionId: string;
  createdAt: number;
  expiresAt: number;
  lastActiveAt: number;
}

/** A user's session generation as Postgres holds it (user.session_generation). */
export interface UserGeneration {
  userId: string;
  generation: number;
}

export interface SessionRef {
  sessionId: string;
  tokenHash: string;
}

export type RecordMode =
  /** A new sign-in: enforce the concurrent-session limit, evicting the oldest. */
  | { kind: "new"; limit: number }
  /** Re-adding a session Postgres still holds (index lost or behind): never evicts.
   *  Both modes refuse a token that ended (its value is `ended:<reason>`). */
  | { kind: "restore" };

/** What the per-request look-up finds for a token hash. */
export type IndexCheck =
  | { kind: "live"; entry: ValidityEntry }
  /** The session ended; its cookie could still be presented until its expiry. */
  | { kind: "ended"; reason: EndReason }
  /** Nothing stored. `complete`: the tag was rebuilt from Postgres and every session
   *  since was recorded, so a miss means "no such live session". Otherwise the index
   *  may have lost it (data loss, fresh Redis) and only Postgres can say. */
  | { kind: "miss"; complete: boolean };

export interface RecordResult {
  recorded: boolean;
  /** Whether the tag is complete (see IndexCheck): if not, limits need Postgres. */
  complete: boolean;
  /** Session ids evicted by the limit: the caller must delete them from Postgres too. */
  evicted: string[];
}

export interface SessionIndex {
  readonly kind: "redis" | "memory";
  record(session: SessionToRecord, mode: RecordMode): Promise<RecordResult>;
  /** The per-request look-up, one round trip: live, ended, or a miss (complete or not). */
  check(userTag: string, tokenHash: string): Promise<IndexCheck>;
  /** The validity entry for a token hash, or null if none (or ended). */
  lookup(userTag: string, tokenHash: string): Promise<ValidityEntry | null>;
  /** Stores a newer lastActiveAt (the caller throttles). */
  touch(userTag: string, tokenHash: string, entry: ValidityEntry): Promise<void>;
  /** Ends the given sessions of one user and, with `sweep`, every other indexed
   *  session of that user except `sweep.keep`: each is remembered as ended (with
   *  `reason`) until its expiry. Returns the ids that were present and live. */
  remove(userId: string, sessions: SessionRef[], sweep?: { keep: string | null }, reason?: EndReason): Promise<string[]>;
  list(userId: string): Promise<IndexedSession[]>;
  /** The list, and whether the user's tag is complete (if not, the list may lack sessions). */
  listChecked(userId: string): Promise<{ complete: boolean; sessions: IndexedSession[] }>;
  /** Rebuilds one tag from the live sessions Postgres holds for it (every user sharing
   *  the tag) and marks it complete; never re-adds a session ended meanwhile. `generations`
   *  (users' current session generations, from Postgres) are raised first, in the same
   *  step, so a revoke-all the index missed lands even if none of its sessions is left. */
  rebuildTag(userTag: string, sessions: SessionToRecord[], markerTtlMs: number, generations?: UserGeneration[]): Promise<number>;
  /** Whether a full rebuild finished since the index last lost its data. */
  isBuilt(): Promise<boolean>;
  /** Records that a full rebuild finished. */
  markBuilt(): Promise<void>;
  /** Claims the single full-rebuild slot for ttlMs; false if another holder has it. */
  claimRebuild(ttlMs: number): Promise<boolean>;
  /** Gives the claim back early. */
  releaseRebuild(): Promise<void>;
  count(userId: string): Promise<number>;
  /** Revoke-all in O(1): raises the user's generation to `generation` and moves the kept
   *  session (pass it only if Postgres kept its row) to it; every other session of the user is ended by that, and
   *  the user's ordered set is replaced. Returns whether it was kept and how many other
   *  sessions the index listed for the user (the count shown to the user). */
  endAllBut(userId: string, generation: number, keep: SessionRef | null): Promise<{ kept: boolean; dropped: number }>;
  /** Drops everything (tests, and the reindex command before a rebuild). */
  clear(): Promise<void>;
}
