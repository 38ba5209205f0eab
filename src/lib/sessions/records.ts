// A session row as better-auth and Postgres hold it, and what the index stores of it.
import { deviceOf } from "@/lib/device";
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
}

/** What the per-request check needs from a row (updated_at doubles as last active). */
export function validityOf(row: SessionRow): ValidityEntry {
  return {
    sessionId: row.id,
    userId: row.userId,
    expiresAt: row.expiresAt.getTime(),
    lastActiveAt: Math.max(row.updatedAt.getTime(), row.createdAt.getTime()),
  };
}

export function toRecord(row: SessionRow): SessionToRecord {
  return {
    ...validityOf(row),
    ...deviceOf(row.userAgent, row.ipAddress),
    tokenHash: hashToken(row.token),
    createdAt: row.createdAt.getTime(),
  };
}
