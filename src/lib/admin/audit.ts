// The admin audit log: every console action, who did it, to whom, when and from where.
// Append-only in Postgres (a trigger refuses UPDATE/DELETE/TRUNCATE: drizzle/0007). The
// write is awaited inside the action: an action whose record failed is reported as failed.
// The target user also sees the action in their own Recent activity (a security event).
import { and, desc, eq, lt, type SQL } from "drizzle-orm";
import { getDb } from "@/db";
import { adminAudit } from "@/db/schema";
import { recordSecurityEvent, type EventDetail } from "@/lib/security/events";

export type AdminAction =
  | "role.set"
  | "user.ban"
  | "user.unban"
  | "session.end"
  | "sessions.end-all"
  | "password.reset-required"
  | "audit.export"
  /** Support access (lib/auth/impersonation.ts): the user reads both in Recent activity. */
  | "impersonation.start"
  | "impersonation.stop";

/** The administrator acting, and the request they acted from. */
export interface AdminActor {
  id: string | null;
  email: string;
  name: string;
  sessionId: string | null;
  ipAddress: string | null;
  userAgent: string | null;
}

export interface AuditTarget {
  id: string;
  email: string;
}

export type AuditEntry = typeof adminAudit.$inferSelect;

// The user is told about actions that change their account; reading it is not one.
const SHOWN_TO_USER: ReadonlySet<AdminAction> = new Set(["role.set", "user.ban", "user.unban", "password.reset-required"]);

export async function recordAdminAction(actor: AdminActor, action: AdminAction, target: AuditTarget | null, detail?: EventDetail): Promise<void> {
  await getDb()
    .insert(adminAudit)
    .values({
      actorId: actor.id,
      actorEmail: actor.email,
      action,
      targetUserId: target?.id ?? null,
      targetEmail: target?.email ?? null,
      ipAddress: actor.ipAddress,
      userAgent: actor.userAgent,
      detail: detail ?? null,
    });
  if (target && SHOWN_TO_USER.has(action)) {
    recordSecurityEvent({ userId: target.id, type: "admin-action", reason: action, detail: detail ?? undefined });
  }
}

export const AUDIT_PAGE_SIZE = 50;

/** Newest first; `before` is the last id of the previous page. */
export async function listAudit(opts: { targetUserId?: string; before?: number; limit?: number } = {}): Promise<AuditEntry[]> {
  const where: SQL[] = [];
  if (opts.targetUserId) where.push(eq(adminAudit.targetUserId, opts.targetUserId));
  if (opts.before) where.push(lt(adminAudit.id, opts.before));
  return getDb()
    .select()
    .from(adminAudit)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(adminAudit.id))
    .limit(opts.limit ?? AUDIT_PAGE_SIZE);
}

const CSV_COLUMNS = ["id", "at", "actorEmail", "actorId", "action", "targetEmail", "targetUserId", "ipAddress", "userAgent", "detail"] as const;

/** A cell as CSV needs it; a leading = + - @ is defused so a spreadsheet never runs it. */
function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? "" : value instanceof Date ? value.toISOString() : typeof value === "object" ? JSON.stringify(value) : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function auditCsv(entries: AuditEntry[]): string {
  const lines = [CSV_COLUMNS.join(",")];
  for (const e of entries) lines.push(CSV_COLUMNS.map((c) => csvCell(e[c])).join(","));
  return lines.join("\r\n") + "\r\n";
}
