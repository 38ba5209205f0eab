// "Recent activity": the caller's security events, newest first, for GET
// /api/security/activity and the Security page. Keyset pagination over the
// (user_id, created_at desc, id desc) index: the cursor is the last row's (time, id),
// opaque to the client (base64url), and strictly parsed: anything the server did not
// hand out is a 400. Only the caller's rows are ever read; a cursor only says where to
// continue, never whose rows.
//
// What an event exposes: its kind, time, the device label (known tokens only: a failed
// sign-in's user agent is a stranger's text), address and place of the
// session it is about, the reason, the count, and whether it concerns (or was done from)
// the session asking. No tokens, and no session ids: "this device" is computed here.
import { signInWith } from "@/lib/sign-in-words";
import { and, desc, eq, gt, lt, or, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/db";
import { securityEvent } from "@/db/schema";
import { safeDeviceLabel } from "@/lib/device";
import { API_ERROR } from "@/lib/http/error-codes";
import { ApiError } from "@/lib/http/errors";
import { RETENTION_DAYS, type SecurityEventType } from "./events";

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 50;

export interface ActivityItem {
  id: string;
  type: SecurityEventType;
  at: string;
  /** "Chrome 131 on macOS": the device of the session the event is about. */
  device: string | null;
  ipAddress: string | null;
  location: string | null;
  /** Why a session ended (lib/metrics.ts SessionEndReason). */
  reason: string | null;
  /** Failed sign-ins in the burst; sessions ended at once. */
  count: number;
  /** A failed-sign-in burst in which the account's limit refused further attempts. */
  blocked: boolean;
  /** The event is about the session asking ("this device"). */
  thisDevice: boolean;
  /** Who ended it: "self" (it signed itself out), "this-device" (the asking session),
   *  "other-device" (see byDevice), or null (not one of the user's sessions). */
  by: "self" | "this-device" | "other-device" | null;
  byDevice: string | null;
  /** A sign-in's method in words ("GitHub"); null when not recorded. */
  signInWith: string | null;
  /** The passkey a passkey-added / passkey-removed event is about (its name). */
  passkeyName: string | null;
  /** A support session's administrator, by name only ("Support (Ada) signed in as you"). */
  supportName: string | null;
}

export interface ActivityPage {
  events: ActivityItem[];
  /** Pass back as ?cursor= for the next page; null when there is none. */
  nextCursor: string | null;
}

// Ids are UUIDs (events.ts); the time is whole milliseconds since the epoch.
const CURSOR = /^(\d{1,15})\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.getTime()}.${id}`).toString("base64url");
}

/**
 * How far ahead of this instance's clock a cursor's time may be: another instance's clock
 * can run a little ahead, but no event the server handed out is from further in the future.
 */
export const CURSOR_CLOCK_SKEW_MS = 24 * 60 * 60 * 1000;

export function decodeCursor(cursor: string, now = Date.now()): { at: Date; id: string } | null {
  if (!/^[A-Za-z0-9_-]{1,96}$/.test(cursor)) return null;
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  // Re-encoding must give the same string: no padding tricks, no trailing garbage.
  if (Buffer.from(text).toString("base64url") !== cursor) return null;
  const m = CURSOR.exec(text);
  if (!m) return null;
  // In range, or it is not a cursor we made: a far-future time (the year 33658 fits in 15
  // digits) is a Date to JS but not a timestamp to Postgres, which would fail the query.
  const ms = Number(m[1]);
  if (ms > now + CURSOR_CLOCK_SKEW_MS) return null;
  return { at: new Date(ms), id: m[2]! };
}

export const activityQuery = z.strictObject({
  cursor: z.string().max(96).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
});

/** ?cursor=&limit= -> a validated query, or a 400 naming what is wrong. */
export function parseActivityQuery(params: URLSearchParams): { cursor: { at: Date; id: string } | null; limit: number } {
  const raw: Record<string, string> = {};
  for (const [k, v] of params) {
    if (k in raw) throw new ApiError(400, API_ERROR.invalidBody, `"${k}" is given more than once.`);
    raw[k] = v;
  }
  const parsed = activityQuery.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue?.path[0] === "cursor") throw new ApiError(400, API_ERROR.invalidCursor, "That cursor is not valid.");
    throw new ApiError(400, API_ERROR.invalidBody, issue ? `${issue.path.join(".") || "query"}: ${issue.message}` : "Invalid query.");
  }
  let cursor: { at: Date; id: string } | null = null;
  if (parsed.data.cursor !== undefined) {
    cursor = decodeCursor(parsed.data.cursor);
    if (!cursor) throw new ApiError(400, API_ERROR.invalidCursor, "That cursor is not valid.");
  }
  return { cursor, limit: parsed.data.limit };
}

type Row = typeof securityEvent.$inferSelect;

function itemOf(r: Row, currentSessionId: string | null): ActivityItem {
  const d = r.detail ?? {};
  const by =
    d.bySelf === true
      ? "self"
      : typeof d.bySessionId === "string"
        ? d.bySessionId === currentSessionId
          ? "this-device"
          : "other-device"
        : null;
  return {
    id: r.id,
    type: r.type as SecurityEventType,
    at: r.createdAt.toISOString(),
    // Labels are built from known tokens when written; one written before that (or by a
    // failed sign-in's user agent, a stranger's text) is shown only if it could have been.
    device: safeDeviceLabel(r.deviceLabel),
    ipAddress: r.ipAddress,
    location: r.location,
    reason: r.reason,
    count: r.count,
    blocked: d.blocked === true,
    thisDevice: currentSessionId !== null && r.sessionId === currentSessionId,
    by,
    byDevice: by === "other-device" && typeof d.byDevice === "string" ? safeDeviceLabel(d.byDevice) : null,
    signInWith: r.type === "sign-in" && typeof d.method === "string" ? signInWith(d.method) : null,
    passkeyName: typeof d.passkeyName === "string" ? d.passkeyName : null,
    supportName: r.type.startsWith("impersonation-") && typeof d.supportName === "string" ? d.supportName : null,
  };
}

/** One page of the user's events within the retention window, newest first. */
export async function listActivity(
  userId: string,
  currentSessionId: string | null,
  { cursor, limit }: { cursor: { at: Date; id: string } | null; limit: number },
): Promise<ActivityPage> {
  const since = sql`now() - make_interval(days => ${RETENTION_DAYS})`;
  const rows = await getDb()
    .select()
    .from(securityEvent)
    .where(
      and(
        eq(securityEvent.userId, userId),
        gt(securityEvent.createdAt, since),
        cursor
          ? or(lt(securityEvent.createdAt, cursor.at), and(eq(securityEvent.createdAt, cursor.at), lt(securityEvent.id, cursor.id)))
          : undefined,
      ),
    )
    .orderBy(desc(securityEvent.createdAt), desc(securityEvent.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    events: page.map((r) => itemOf(r, currentSessionId)),
    nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null,
  };
}
