// What the sessions API does, apart from HTTP: list the caller's sessions and revoke
// them by id. Every query is scoped to the caller's user id, so another user's session
// id behaves exactly like one that does not exist.
import { and, eq, gt, inArray } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/db";
import { session as sessionTable, user as userTable } from "@/db/schema";
import { safeDevice, type Device } from "@/lib/device";
import { env } from "@/lib/env";
import { ApiError } from "@/lib/http/errors";
import { countPostgresFallback } from "@/lib/metrics";
import { isNewDevice, type SignInMethod } from "@/lib/sign-in-context";
import { getSessionIndex, userTag, type IndexedSession, type ValidityEntry } from "@/lib/session-index";
import { scheduleTagRebuild } from "./completeness";
import { signInWith } from "@/lib/sign-in-words";
import { tagIsSuspect } from "./index-health";
import { endSessions, IN_CURRENT_GENERATION, revokeAllSessions, toRecord } from "./lifecycle";
import { generationEnded, sessionsEnded } from "./ended";
import { endDeviceTrust } from "@/lib/two-factor-trust";

/** One row of the Active devices panel (GET /api/sessions). */
export interface SessionView extends Device {
  id: string;
  createdAt: string;
  lastActiveAt: string;
  expiresAt: string;
  isCurrent: boolean;
  /** How the session was signed in; null when not recorded (sessions from before it was). */
  signInMethod: SignInMethod | null;
  /** The method in words ("password", "GitHub", the OIDC provider's name); null when unknown. */
  signInWith: string | null;
  /** When this device was first seen (ISO), and whether that was in the last 24 h. */
  deviceFirstSeenAt: string | null;
  isNewDevice: boolean;
  /** What a native app or tool declared itself as at sign-in; the panel marks it as declared (unverified). */
  declaredClient: string | null;
  /**
   * A support session (an administrator viewing the app as the user): the admin's name only,
   * never their email ("Support (Ada) signed in as you"). Null for the user's own sessions.
   */
  impersonatedBy: { name: string } | null;
}

function view(s: IndexedSession, currentId: string, now: number): SessionView {
  // Index values written before labels were built from known tokens may hold a user
  // agent's free text: shown only as parseUserAgent could have built it.
  const device = safeDevice({ browser: s.browser, os: s.os, deviceType: s.deviceType, label: s.label });
  return {
    id: s.sessionId,
    browser: device.browser,
    os: device.os,
    deviceType: device.deviceType,
    label: device.label,
    ipAddress: s.ipAddress,
    location: s.location,
    createdAt: new Date(s.createdAt).toISOString(),
    lastActiveAt: new Date(s.lastActiveAt).toISOString(),
    expiresAt: new Date(s.expiresAt).toISOString(),
    isCurrent: s.sessionId === currentId,
    signInMethod: s.signInMethod,
    signInWith: signInWith(s.signInMethod),
    deviceFirstSeenAt: s.deviceFirstSeenAt === null ? null : new Date(s.deviceFirstSeenAt).toISOString(),
    isNewDevice: isNewDevice(s.deviceFirstSeenAt, now),
    declaredClient: s.declaredClient ?? null,
    impersonatedBy: null,
  };
}

/** Names the administrators behind the support sessions of a list (one query, only when there are any). */
async function withSupportNames(views: SessionView[]): Promise<SessionView[]> {
  const ids = views.filter((v) => v.signInMethod === "impersonation").map((v) => v.id);
  if (ids.length === 0) return views;
  const rows = await getDb()
    .select({ id: sessionTable.id, name: userTable.name })
    .from(sessionTable)
    .innerJoin(userTable, eq(userTable.id, sessionTable.impersonatedBy))
    .where(inArray(sessionTable.id, ids));
  const names = new Map(rows.map((r) => [r.id, r.name]));
  return views.map((v) => (names.has(v.id) ? { ...v, impersonatedBy: { name: names.get(v.id)! } } : v));
}

/**
 * The caller's sessions, most recently active first: one index round trip, no database
 * query. If the index cannot answer, or may have lost some of them (the tag is not
 * complete), the same list comes from Postgres (slower).
 */
export async function listSessions(current: ValidityEntry): Promise<SessionView[]> {
  let sessions: IndexedSession[];
  try {
    const listed = await getSessionIndex().listChecked(current.userId);
    sessions = listed.sessions;
    if (!listed.complete || tagIsSuspect(userTag(current.userId))) {
      // The index may have lost some of this user's devices: Postgres answers, and the
      // user's tag is rebuilt at once (completeness.ts).
      scheduleTagRebuild(userTag(current.userId));
      countPostgresFallback("list", "miss");
      sessions = await listFromDatabase(current.userId);
    }
  } catch (err) {
    console.warn(`[sessions] index list failed, using Postgres: ${(err as Error).message}`);
    countPostgresFallback("list", "unreachable");
    sessions = await listFromDatabase(current.userId);
  }
  const now = Date.now();
  return withSupportNames(sessions.map((s) => view(s, current.sessionId, now)).sort((a, b) => b.lastActiveAt.localeCompare(a.lastActiveAt)));
}

async function listFromDatabase(userId: string): Promise<IndexedSession[]> {
  const rows = await getDb()
    .select()
    .from(sessionTable)
    .where(and(eq(sessionTable.userId, userId), gt(sessionTable.expiresAt, new Date()), IN_CURRENT_GENERATION));
  return rows.map(toRecord);
}

// Session ids are better-auth's URL-safe random strings. Anything else (NUL bytes, which
// Postgres text refuses, found by the fuzz test) is malformed: 400 for every caller alike.
const sessionId = z
  .string()
  .min(1, "sessionId must not be empty")
  .max(128, "sessionId is too long")
  .regex(/^[A-Za-z0-9_-]+$/, "sessionId has characters no session id has");
const password = z.string().min(1).max(128).optional();

export const revokeBody = z.union([
  z.strictObject({ sessionId, password }),
  z.strictObject({ all: z.literal(true), password }),
]);
export type RevokeBody = z.infer<typeof revokeBody>;

/** Confirms the signed-in user's password (lib/auth provides it; sessions never import auth). */
export type PasswordCheck = (password: string, headers: Headers) => Promise<"match" | "mismatch" | "limited">;

/**
 * Ending other sessions needs a fresh sign-in or the password (ASVS 7.5.2), so a stolen
 * old cookie cannot sign the owner out everywhere.
 */
async function assertRecentlyAuthenticated(current: ValidityEntry, body: RevokeBody, headers: Headers, passwordMatches: PasswordCheck) {
  if (body.password !== undefined) {
    // Through better-auth's verifyPassword (lib/auth): limited per client and per account like sign-in.
    const verdict = await passwordMatches(body.password, headers);
    if (verdict === "match") return;
    if (verdict === "limited") {
      throw new ApiError(429, "too_many_attempts", "Too many password attempts. Please try again later.");
    }
    throw new ApiError(403, "invalid_password", "That password is not correct.");
  }
  const freshAge = env().SESSION_FRESH_AGE * 1000;
  // The index value carries the sign-in time (the proxy's verdict passes it on): no query.
  const createdAt = current.createdAt ?? (await sessionCreatedAt(current));
  if (freshAge > 0 && Date.now() - createdAt > freshAge) {
    throw new ApiError(403, "reauthentication_required", "Please confirm your password to sign out other devices.");
  }
}

async function sessionCreatedAt(current: ValidityEntry): Promise<number> {
  const [row] = await getDb()
    .select({ createdAt: sessionTable.createdAt })
    .from(sessionTable)
    .where(eq(sessionTable.id, current.sessionId));
  return row?.createdAt.getTime() ?? 0;
}

/** The caller's own session of that id (and whether it is a support session), or undefined. */
async function ownSession(userId: string, sessionId: string): Promise<{ impersonatedBy: string | null } | undefined> {
  const [row] = await getDb()
    .select({ impersonatedBy: sessionTable.impersonatedBy })
    .from(sessionTable)
    .where(and(eq(sessionTable.userId, userId), eq(sessionTable.id, sessionId)))
    .limit(1);
  return row;
}

export async function revoke(
  current: ValidityEntry,
  body: RevokeBody,
  headers: Headers,
  passwordMatches: PasswordCheck,
): Promise<{ revoked: number }> {
  if ("sessionId" in body && body.sessionId === current.sessionId) {
    throw new ApiError(
      400,
      "cannot_revoke_current",
      "This is the session you are using. Use “Sign out” to end it.",
    );
  }
  // Existence first, so the answer for a missing session never depends on the password
  // (403 for a wrong one and 404 for the right one was a password oracle).
  const target = "sessionId" in body ? await ownSession(current.userId, body.sessionId) : undefined;
  if ("sessionId" in body && !target) {
    throw new ApiError(404, "session_not_found", "No such session.");
  }
  // Ending support's access to one's own account never waits for a password: the owner
  // always may, at once (and a stolen cookie ending it harms nobody).
  if (!target?.impersonatedBy) await assertRecentlyAuthenticated(current, body, headers, passwordMatches);
  // "By you, from which device": the acting session, for the security history (its device
  // is read after the answer, ended.ts).
  const by = { sessionId: current.sessionId };
  if ("all" in body) {
    const revoked = await revokeAllSessions(current.userId, current.sessionId);
    // "Sign out everywhere" also ends every device's skip of the second step.
    await endDeviceTrust(current.userId);
    generationEnded(current.userId, "revoke-all", revoked, by);
    return { revoked };
  }
  const [device] = await getDb().select({ id: sessionTable.deviceId }).from(sessionTable).where(eq(sessionTable.id, body.sessionId));
  const ended = await endSessions(current.userId, { sessionIds: [body.sessionId] });
  if (ended.length === 0) throw new ApiError(404, "session_not_found", "No such session.");
  // A revoked device is no longer trusted to skip the second step.
  await endDeviceTrust(current.userId, [device?.id]);
  sessionsEnded(current.userId, "revoke", ended, undefined, by);
  return { revoked: ended.length };
}
