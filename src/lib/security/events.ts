// The account's security history ("Recent activity"): every event is written here, through
// recordSecurityEvent(), by the module where the action happens. Writes run after the
// request has its answer (lib/background.ts) so no sign-in or sign-out waits on them, and a
// failed write is logged, never thrown into the action it describes.
//
// Times are taken when the action happens (not when the write lands), in whole
// milliseconds, so the order shown is the order things happened and the activity cursor
// (activity.ts) compares exactly. Rows older than RETENTION_DAYS are pruned: the user's
// own old rows on each of their writes (one indexed delete), everyone's at most hourly.
import { randomUUID } from "node:crypto";
import { and, desc, eq, gte, lt, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { securityEvent, session as sessionTable, user as userTable } from "@/db/schema";
import { runInBackground } from "@/lib/background";
import { parseUserAgent } from "@/lib/device";

export const RETENTION_DAYS = 90;
const RETENTION_MS = RETENTION_DAYS * 24 * 60 * 60 * 1000;
/** Failed sign-ins within this window of the last one are counted on one row. */
export const FAILED_SIGN_IN_WINDOW_MS = 15 * 60 * 1000;
const GLOBAL_PRUNE_EVERY_MS = 60 * 60 * 1000;

export type SecurityEventType =
  | "sign-in"
  | "sign-in-failed"
  /** One session ended (`reason`), with its device. */
  | "session-ended"
  /** Many sessions ended at once without listing them (revoke-all by generation): `count`. */
  | "sessions-ended"
  | "password-changed"
  | "password-reset"
  | "email-verified"
  | "new-device-alert"
  /** "This wasn't me" for a session that had already ended. */
  | "sign-in-reported"
  /** An administrator acted on the account (`reason`: the action, lib/admin/audit.ts). */
  | "admin-action"
  /** Second factors (lib/auth/two-factor.ts): a factor changed, or a backup code was spent. */
  | "two-factor-enabled"
  | "two-factor-disabled"
  | "backup-codes-regenerated"
  | "backup-code-used"
  /** Passkeys (lib/auth/passkeys.ts): added or removed, `detail.passkeyName` its name. */
  | "passkey-added"
  | "passkey-removed"
  /** Support opened a session as the user (`detail.supportName`: the admin's name, never the email). */
  | "impersonation-started"
  /** That support session ended (`reason`: how; `detail.supportName`). */
  | "impersonation-ended";

/** What a caller knows about an event; device and place are of the session it is about. */
export interface SecurityEventInput {
  userId: string;
  type: SecurityEventType;
  at?: Date;
  sessionId?: string | null;
  /** The session's user agent (stored as its readable label, never raw). */
  userAgent?: string | null;
  ipAddress?: string | null;
  location?: string | null;
  reason?: string | null;
  count?: number;
  detail?: EventDetail;
}

export type EventDetail = Record<string, string | number | boolean | null>;

/** Whole milliseconds: what a JS Date and the activity cursor can hold exactly. */
const wholeMs = (d: Date) => new Date(Math.floor(d.getTime()));

export function deviceLabelOf(userAgent: string | null | undefined): string | null {
  return userAgent === undefined ? null : parseUserAgent(userAgent).label;
}

/** A session's device label, from its row (read in the background, after the answer). */
export async function deviceLabelOfSession(sessionId: string): Promise<string | null> {
  const [row] = await getDb().select({ userAgent: sessionTable.userAgent }).from(sessionTable).where(eq(sessionTable.id, sessionId));
  return deviceLabelOf(row?.userAgent ?? null);
}

/** "Support (Ada)": the name of the administrator behind a support session, as it is now. */
export async function supportDetail(adminId: string): Promise<EventDetail> {
  const [row] = await getDb().select({ name: userTable.name }).from(userTable).where(eq(userTable.id, adminId));
  return { supportName: row?.name ?? null };
}

function rowOf(e: SecurityEventInput) {
  return {
    id: randomUUID(),
    userId: e.userId,
    type: e.type,
    createdAt: wholeMs(e.at ?? new Date()),
    sessionId: e.sessionId ?? null,
    deviceLabel: deviceLabelOf(e.userAgent),
    ipAddress: e.ipAddress || null,
    location: e.location || null,
    reason: e.reason ?? null,
    count: e.count ?? 1,
    detail: e.detail ?? null,
  };
}

/** Writes one event now (awaitable: scripts, tests, and the background task below). */
export async function writeSecurityEvent(e: SecurityEventInput): Promise<void> {
  const row = rowOf(e);
  await getDb().insert(securityEvent).values(row);
  await pruneOldEvents(new Date(), e.userId);
}

/**
 * Records an event off the request path. The time is taken now, when it happened; a detail
 * that needs a read (a function) is read then too, after the answer, not on its path.
 */
export function recordSecurityEvent(e: Omit<SecurityEventInput, "detail"> & { detail?: EventDetail | (() => Promise<EventDetail>) }): void {
  const at = wholeMs(e.at ?? new Date());
  runInBackground(`security event ${e.type}`, async () =>
    writeSecurityEvent({ ...e, at, detail: typeof e.detail === "function" ? await e.detail() : e.detail }),
  );
}

/**
 * A failed sign-in for an existing account: counted on the user's latest failed-sign-in
 * row if it is within FAILED_SIGN_IN_WINDOW_MS (its time moves to this attempt; the first
 * attempt's time stays in detail.firstAt), else a new row. One row per burst, never one per
 * attempt. A per-user advisory lock makes concurrent attempts count on one row.
 */
export async function writeFailedSignIn(e: Omit<SecurityEventInput, "type" | "count"> & { blocked?: boolean }): Promise<void> {
  const row = rowOf({ ...e, type: "sign-in-failed" });
  await getDb().transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${"security-event:" + e.userId}))`);
    const [latest] = await tx
      .select({ id: securityEvent.id })
      .from(securityEvent)
      .where(
        and(
          eq(securityEvent.userId, e.userId),
          eq(securityEvent.type, "sign-in-failed"),
          gte(securityEvent.createdAt, new Date(row.createdAt.getTime() - FAILED_SIGN_IN_WINDOW_MS)),
        ),
      )
      .orderBy(desc(securityEvent.createdAt), desc(securityEvent.id))
      .limit(1);
    if (latest) {
      await tx
        .update(securityEvent)
        .set({
          count: sql`${securityEvent.count} + 1`,
          createdAt: sql`greatest(${securityEvent.createdAt}, ${row.createdAt.toISOString()}::timestamptz)`,
          deviceLabel: row.deviceLabel,
          ipAddress: row.ipAddress,
          location: row.location,
          // Once an attempt of the burst was refused by the account's limit, the row says so.
          ...(e.blocked ? { detail: sql`coalesce(${securityEvent.detail}, '{}'::jsonb) || '{"blocked": true}'::jsonb` } : {}),
        })
        .where(eq(securityEvent.id, latest.id));
    } else {
      await tx.insert(securityEvent).values({ ...row, detail: { firstAt: row.createdAt.toISOString(), ...(e.blocked ? { blocked: true } : {}) } });
    }
  });
  await pruneOldEvents(new Date(), e.userId);
}

export function recordFailedSignIn(e: Omit<SecurityEventInput, "type" | "count"> & { blocked?: boolean }): void {
  const at = wholeMs(e.at ?? new Date());
  runInBackground("security event sign-in-failed", () => writeFailedSignIn({ ...e, at }));
}

const g = globalThis as unknown as { __revocableLastEventPrune?: number };

/**
 * Deletes events older than the retention window: the user's own (cheap: the
 * (user_id, created_at) index) on every write, and everyone's at most once an hour per
 * process (the created_at index), so accounts that stop acting are pruned too.
 */
export async function pruneOldEvents(now: Date = new Date(), userId?: string): Promise<number> {
  const cutoff = new Date(now.getTime() - RETENTION_MS);
  const db = getDb();
  let deleted = 0;
  if (userId) {
    deleted += (
      await db
        .delete(securityEvent)
        .where(and(eq(securityEvent.userId, userId), lt(securityEvent.createdAt, cutoff)))
        .returning({ id: securityEvent.id })
    ).length;
  }
  const last = g.__revocableLastEventPrune ?? 0;
  if (!userId || now.getTime() - last >= GLOBAL_PRUNE_EVERY_MS) {
    g.__revocableLastEventPrune = now.getTime();
    deleted += (await db.delete(securityEvent).where(lt(securityEvent.createdAt, cutoff)).returning({ id: securityEvent.id })).length;
  }
  return deleted;
}
