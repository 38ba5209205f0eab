// A session row as better-auth and Postgres hold it, and what the index stores of it.
import { sql } from "drizzle-orm";
import { session as sessionTable, user as userTable } from "@/db/schema";
import { deviceOf } from "@/lib/device";
import { asSignInMethod } from "@/lib/sign-in-context";
import { hashToken, type SessionToRecord, type ValidityEntry } from "@/lib/session-index";

export interface SessionRow {
  id: string;
  userId: string;
  token: string;
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date;
  ipAddress?: string | null;
  userAgent?: string | null;
  /** Sign-in context (set by better-auth's create hooks; absent on rows made elsewhere). */
  location?: string | null;
  signInMethod?: string | null;
  deviceFirstSeenAt?: Date | null;
  declaredClient?: string | null;
  /** The admin behind a support session (better-auth's admin plugin); null for the user's own. */
  impersonatedBy?: string | null;
  /** The user's session generation the row was inserted in (or kept at by a revoke-all);
   *  better-auth's hook rows may lack it. */
  generation?: number;
}

/** What the per-request check needs from a row (updated_at doubles as last active). */
export function validityOf(row: SessionRow): ValidityEntry {
  return {
    sessionId: row.id,
    userId: row.userId,
    expiresAt: row.expiresAt.getTime(),
    lastActiveAt: Math.max(row.updatedAt.getTime(), row.createdAt.getTime()),
    createdAt: row.createdAt.getTime(),
  };
}

/** Epoch ms in whole seconds, as the index keeps it (the list reads the same from either
 *  store); null when absent or not a time. */
function wholeSeconds(at: Date | string | null | undefined): number | null {
  const ms = at ? new Date(at).getTime() : NaN;
  return Number.isFinite(ms) ? Math.floor(ms / 1000) * 1000 : null;
}

export function toRecord(row: SessionRow): SessionToRecord {
  return {
    ...validityOf(row),
    ...deviceOf(row.userAgent, row.ipAddress, row.location),
    signInMethod: asSignInMethod(row.signInMethod),
    deviceFirstSeenAt: wholeSeconds(row.deviceFirstSeenAt),
    declaredClient: row.declaredClient ?? null,
    tokenHash: hashToken(row.token),
    generation: row.generation ?? 0,
    createdAt: row.createdAt.getTime(),
  };
}

/** A row is valid in the truth only in its user's current generation (revoke-all). */
export const IN_CURRENT_GENERATION = sql`${sessionTable.generation} >= (select ${userTable.sessionGeneration} from ${userTable} where ${userTable.id} = ${sessionTable.userId})`;
