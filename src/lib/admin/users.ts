// What the console reads: users by email or name (paginated), and one user's page (devices
// as their own panel shows them, Recent activity, sign-in methods, 2FA, the ban, the audit).
import { asc, eq, ilike, or } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import { z } from "zod";
import { getDb } from "@/db";
import { account as accountTable, user as userTable } from "@/db/schema";
import { API_ERROR } from "@/lib/http/error-codes";
import { ApiError } from "@/lib/http/errors";
import { listActivity, type ActivityItem } from "@/lib/security/activity";
import { listSessions, type SessionView } from "@/lib/sessions/service";
import { listAudit, type AuditEntry } from "./audit";

export const USERS_PAGE_SIZE = 20;

export const searchQuery = z.strictObject({
  q: z.string().trim().max(200).default(""),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});

export interface UserRow {
  id: string;
  email: string;
  name: string;
  role: string;
  banned: boolean;
  emailVerified: boolean;
  createdAt: string;
}

const rowColumns = {
  id: userTable.id,
  email: userTable.email,
  name: userTable.name,
  role: userTable.role,
  banned: userTable.banned,
  emailVerified: userTable.emailVerified,
  createdAt: userTable.createdAt,
};

type Selected = { id: string; email: string; name: string; role: string | null; banned: boolean | null; emailVerified: boolean; createdAt: Date };
const toRow = (r: Selected): UserRow => ({ ...r, role: r.role ?? "user", banned: r.banned === true, createdAt: r.createdAt.toISOString() });

/** LIKE's own characters in a search are literal. */
const literal = (q: string) => q.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function searchUsers(params: URLSearchParams): Promise<{ users: UserRow[]; page: number; hasMore: boolean }> {
  const raw: Record<string, string> = {};
  for (const [k, v] of params) raw[k] = v;
  const parsed = searchQuery.safeParse(raw);
  if (!parsed.success) throw new ApiError(400, API_ERROR.invalidBody, "Use ?q=<email or name>&page=<n>.");
  const { q, page } = parsed.data;
  const pattern = `%${literal(q)}%`;
  const rows = await getDb()
    .select(rowColumns)
    .from(userTable)
    .where(q ? or(ilike(userTable.email, pattern), ilike(userTable.name, pattern)) : undefined)
    .orderBy(asc(userTable.email))
    .limit(USERS_PAGE_SIZE + 1)
    .offset((page - 1) * USERS_PAGE_SIZE);
  return { users: rows.slice(0, USERS_PAGE_SIZE).map(toRow), page, hasMore: rows.length > USERS_PAGE_SIZE };
}

export interface UserDetail {
  user: UserRow & { banReason: string | null; banExpires: string | null };
  sessions: SessionView[];
  activity: ActivityItem[];
  signInMethods: string[];
  /** null: this deployment has no second factor to report. */
  twoFactorEnabled: boolean | null;
  audit: AuditEntry[];
}

const userId = z.string().min(1).max(128).regex(/^[A-Za-z0-9_-]+$/);

/** The user with this id, or 404 (a malformed id answers the same). */
export async function findUser(id: string) {
  if (!userId.safeParse(id).success) throw new ApiError(404, API_ERROR.userNotFound, "No such user.");
  const [u] = await getDb()
    .select({ ...rowColumns, banReason: userTable.banReason, banExpires: userTable.banExpires })
    .from(userTable)
    .where(eq(userTable.id, id));
  if (!u) throw new ApiError(404, API_ERROR.userNotFound, "No such user.");
  return u;
}

export async function userDetail(id: string): Promise<UserDetail> {
  const u = await findUser(id);
  // The user's own panel's list (index first, Postgres when the index cannot say); no
  // session of theirs is "current" here.
  const sessions = await listSessions({ sessionId: "", userId: u.id, expiresAt: 0, lastActiveAt: 0 });
  const [{ events }, methods, audit] = await Promise.all([
    listActivity(u.id, null, { cursor: null, limit: 20 }),
    getDb().select({ providerId: accountTable.providerId }).from(accountTable).where(eq(accountTable.userId, u.id)),
    listAudit({ targetUserId: u.id, limit: 20 }),
  ]);
  return {
    user: { ...toRow(u), banReason: u.banReason, banExpires: u.banExpires?.toISOString() ?? null },
    sessions,
    activity: events,
    signInMethods: [...new Set(methods.map((m) => (m.providerId === "credential" ? "password" : m.providerId)))],
    twoFactorEnabled: await twoFactorOf(u.id),
    audit,
  };
}

/** The 2FA flag, where the schema has one (a two-factor plugin adds `twoFactorEnabled`). */
async function twoFactorOf(id: string): Promise<boolean | null> {
  const column = (userTable as unknown as Record<string, PgColumn | undefined>).twoFactorEnabled;
  if (!column) return null;
  const [row] = await getDb().select({ on: column }).from(userTable).where(eq(userTable.id, id));
  return row?.on === true;
}
