// "This wasn't me": the new-sign-in email carries a link that ends the session it is about,
// without signing in. The link's token is
//   base64url(JSON payload) "." base64url(HMAC-SHA256(key, payload))
// with a key derived from BETTER_AUTH_SECRET for this purpose only. The payload binds the
// session id and user id and carries an expiry (7 days, or the session's own expiry if
// sooner). Tampering is refused by the MAC, without any I/O.
//
// Single use: when the link is issued a record is written to better-auth's verification
// table (identifier report-sign-in:<sha256(token)>, value = user id; only the hash is
// stored). Using the link deletes that record with DELETE ... RETURNING, which exactly one
// request can win, on any instance. A link with a valid MAC and no record was used.
//
// Mail scanners open links: reading a link (the GET page, inspectReport) changes nothing.
// Only confirmReport (a same-origin POST) acts. Ending that session then hands back a
// second, short-lived single-use token of kind "all", which lets the same visitor end every
// session of the account ("Sign out everywhere"). Whoever holds the emailed link can read
// the account's mail, which already lets them reset the password (which ends every session
// too), so this grants nothing the mailbox did not.
//
// Confirming also forgets the reported session's device (lib/known-devices.ts): its cookie
// no longer exempts it from the account's sign-in limit, and a later sign-in from it is a
// new device again. The device id is in the token (MAC-protected) because the intruder may
// have signed out, deleting the session row, before the owner reads the email.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { and, eq, gt } from "drizzle-orm";
import { getDb } from "@/db";
import { session as sessionTable, verification } from "@/db/schema";
import { parseUserAgent } from "@/lib/device";
import { forgetKnownDevice } from "@/lib/known-devices";
import { env } from "@/lib/env";
import { purposeMac } from "@/lib/purpose-mac";
import { endSessions, revokeAllSessions } from "@/lib/sessions/lifecycle";
import { endDeviceTrust } from "@/lib/two-factor-trust";
import { generationEnded, sessionsEnded } from "@/lib/sessions/ended";
import { recordSecurityEvent } from "./events";

export const REPORT_LINK_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
/** How long "Sign out everywhere" stays offered after the report. */
export const SIGN_OUT_EVERYWHERE_MAX_AGE_MS = 60 * 60 * 1000;
const IDENTIFIER_PREFIX = "report-sign-in:";
const MAX_TOKEN_LENGTH = 1024;

type Kind = "session" | "all";

interface Payload {
  v: 1;
  k: Kind;
  /** user id */
  u: string;
  /** session id (kind "session") */
  s: string | null;
  /** the session's device id (kind "session"; absent in links issued before it was carried) */
  d?: string | null;
  /** expiry, epoch ms */
  e: number;
  /** makes every token unique, so each has its own record */
  n: string;
}

// Its own key: this MAC never doubles as a cookie signature or another purpose's MAC.
const mac = purposeMac("revocable/report-sign-in/v1");
const identifierOf = (token: string) => IDENTIFIER_PREFIX + createHash("sha256").update(token).digest("base64url");

async function issue(payload: Omit<Payload, "v" | "n">): Promise<string> {
  const encoded = Buffer.from(JSON.stringify({ v: 1, ...payload, n: randomBytes(12).toString("base64url") } satisfies Payload)).toString(
    "base64url",
  );
  const token = `${encoded}.${mac(encoded).toString("base64url")}`;
  await getDb()
    .insert(verification)
    .values({ id: randomUUID(), identifier: identifierOf(token), value: payload.u, expiresAt: new Date(payload.e) });
  return token;
}

/** The emailed link's token for one new session (recorded, so it can be used once). */
export function issueReportToken(
  session: { id: string; userId: string; expiresAt: Date; deviceId?: string | null },
  now = Date.now(),
): Promise<string> {
  const e = Math.min(now + REPORT_LINK_MAX_AGE_MS, new Date(session.expiresAt).getTime());
  return issue({ k: "session", u: session.userId, s: session.id, d: session.deviceId ?? null, e });
}

export function reportSignInUrl(token: string): string {
  return `${env().APP_URL.replace(/\/+$/, "")}/report-sign-in?token=${encodeURIComponent(token)}`;
}

export type TokenProblem = "invalid" | "expired" | "used";
export type ReadToken = { ok: true; payload: Payload } | { ok: false; problem: Exclude<TokenProblem, "used"> };

/** Checks the token's shape, MAC and expiry (no I/O). */
export function readReportToken(token: unknown, now = Date.now()): ReadToken {
  if (typeof token !== "string" || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return { ok: false, problem: "invalid" };
  const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return { ok: false, problem: "invalid" };
  const [, encoded, sig] = m as unknown as [string, string, string];
  const given = Buffer.from(sig, "base64url");
  const expected = mac(encoded);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, problem: "invalid" };
  let p: Payload;
  try {
    p = JSON.parse(Buffer.from(encoded, "base64url").toString("utf8")) as Payload;
  } catch {
    return { ok: false, problem: "invalid" };
  }
  const shaped =
    p?.v === 1 &&
    (p.k === "session" || p.k === "all") &&
    typeof p.u === "string" &&
    typeof p.e === "number" &&
    (p.k === "all" || typeof p.s === "string") &&
    (p.d === undefined || p.d === null || typeof p.d === "string");
  if (!shaped) return { ok: false, problem: "invalid" };
  if (p.e <= now) return { ok: false, problem: "expired" };
  return { ok: true, payload: p };
}

/** What the confirmation page shows about the session the link is about. */
export interface ReportedSession {
  device: string;
  ipAddress: string | null;
  location: string | null;
  signedInAt: string;
}

export type Inspection =
  | { ok: true; kind: Kind; session: ReportedSession | null }
  | { ok: false; problem: TokenProblem };

/** For the GET page: is this link usable, and which sign-in is it about? Reads only. */
export async function inspectReport(token: unknown, now = Date.now()): Promise<Inspection> {
  const read = readReportToken(token, now);
  if (!read.ok) return read;
  const db = getDb();
  const [record] = await db
    .select({ id: verification.id })
    .from(verification)
    .where(and(eq(verification.identifier, identifierOf(token as string)), gt(verification.expiresAt, new Date(now))))
    .limit(1);
  if (!record) return { ok: false, problem: "used" };
  const { k, s, u } = read.payload;
  if (k !== "session" || !s) return { ok: true, kind: k, session: null };
  const [row] = await db
    .select({ userAgent: sessionTable.userAgent, ipAddress: sessionTable.ipAddress, location: sessionTable.location, createdAt: sessionTable.createdAt })
    .from(sessionTable)
    .where(and(eq(sessionTable.id, s), eq(sessionTable.userId, u)));
  return {
    ok: true,
    kind: k,
    session: row
      ? { device: parseUserAgent(row.userAgent).label, ipAddress: row.ipAddress, location: row.location, signedInAt: row.createdAt.toISOString() }
      : null,
  };
}

async function deviceOfSession(userId: string, sessionId: string): Promise<string | null> {
  const [row] = await getDb()
    .select({ deviceId: sessionTable.deviceId })
    .from(sessionTable)
    .where(and(eq(sessionTable.id, sessionId), eq(sessionTable.userId, userId)));
  return row?.deviceId ?? null;
}

export type Confirmation =
  | { ok: true; kind: "session"; ended: number; signOutEverywhereToken: string }
  | { ok: true; kind: "all"; ended: number }
  | { ok: false; problem: TokenProblem };

/**
 * For the POST: uses the link (once) and acts. Kind "session": ends that session (through
 * the lifecycle: Postgres, then the index, then the announcement with reason "reported")
 * and offers "sign out everywhere". Kind "all": ends every session of the account.
 */
export async function confirmReport(token: unknown, now = Date.now()): Promise<Confirmation> {
  const read = readReportToken(token, now);
  if (!read.ok) return read;
  const [consumed] = await getDb()
    .delete(verification)
    .where(and(eq(verification.identifier, identifierOf(token as string)), gt(verification.expiresAt, new Date(now))))
    .returning({ userId: verification.value });
  if (!consumed || consumed.userId !== read.payload.u) return { ok: false, problem: "used" };
  const { k, u, s } = read.payload;
  if (k === "all") {
    const ended = await revokeAllSessions(u, null);
    await endDeviceTrust(u);
    generationEnded(u, "reported", ended);
    return { ok: true, kind: "all", ended };
  }
  // The device before the session goes (links issued before the token carried it).
  const deviceId = read.payload.d ?? (await deviceOfSession(u, s!));
  const rows = await endSessions(u, { sessionIds: [s!] });
  if (deviceId) await forgetKnownDevice(u, deviceId);
  if (rows.length) sessionsEnded(u, "reported", rows);
  // Already ended (signed out, timed out): the report is still worth a line in the history.
  else recordSecurityEvent({ userId: u, type: "sign-in-reported", sessionId: s, detail: { alreadyEnded: true } });
  const signOutEverywhereToken = await issue({ k: "all", u, s: null, e: now + SIGN_OUT_EVERYWHERE_MAX_AGE_MS });
  return { ok: true, kind: "session", ended: rows.length, signOutEverywhereToken };
}
