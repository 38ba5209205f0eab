// The proxy's verdict, handed to the route handler of the same request so that it does
// not repeat the check (see docs/code-map.md, "Handler re-check").
//
// The proxy sets VERDICT_HEADER on the request it forwards, overwriting (or, on public
// paths, deleting) whatever the client sent. The value is also HMAC-signed with a key
// derived from BETTER_AUTH_SECRET, bound to the request's own session credential (its
// cookie, or a native client's bearer token: credential.ts) and valid
// for a few seconds, so even a copy that reaches a handler some other way (a route the
// proxy does not match, a captured value replayed with another cookie) is ignored and
// the handler checks the session itself.
import { createHash, timingSafeEqual } from "node:crypto";
import { purposeMac } from "@/lib/purpose-mac";
import type { ValidityEntry } from "@/lib/session-index";

export const VERDICT_HEADER = "x-revocable-session";

/** A verdict older than this is not used (it only has to live from proxy to handler). */
const MAX_AGE_MS = 10_000;
const MAX_LENGTH = 1024;

// Its own key: this MAC never doubles as a cookie signature or another purpose's MAC.
const mac = purposeMac("revocable/proxy-verdict/v1");
const cookieHash = (cookie: string) => createHash("sha256").update(cookie).digest("base64url");

interface Payload {
  s: ValidityEntry;
  /** sha256 of the session cookie value the verdict is about */
  c: string;
  /** issued at, epoch ms */
  t: number;
}

/** The header value for a session the proxy has just found live, for this credential (cookie or bearer value). */
export function signVerdict(session: ValidityEntry, cookieValue: string, now = Date.now()): string {
  const s: ValidityEntry = {
    sessionId: session.sessionId,
    userId: session.userId,
    expiresAt: session.expiresAt,
    lastActiveAt: session.lastActiveAt,
  };
  if (session.createdAt !== undefined) s.createdAt = session.createdAt;
  const payload = Buffer.from(JSON.stringify({ s, c: cookieHash(cookieValue), t: now } satisfies Payload)).toString("base64url");
  return `${payload}.${mac(payload).toString("base64url")}`;
}

function isEntry(v: unknown): v is ValidityEntry {
  const e = v as ValidityEntry;
  return (
    typeof e === "object" &&
    e !== null &&
    typeof e.sessionId === "string" &&
    typeof e.userId === "string" &&
    Number.isFinite(e.expiresAt) &&
    Number.isFinite(e.lastActiveAt) &&
    (e.createdAt === undefined || Number.isFinite(e.createdAt))
  );
}

/**
 * The session the proxy vouched for in this request, or null when there is no verdict
 * or it is forged, stale, or about another credential than `credential` (the request's
 * cookie or accepted bearer value). Null means: check it yourself.
 */
export function readForwardedVerdict(headers: Headers, credential: string | undefined, now = Date.now()): ValidityEntry | null {
  const value = headers.get(VERDICT_HEADER);
  if (!value || value.length > MAX_LENGTH) return null;
  const dot = value.indexOf(".");
  if (dot < 1) return null;
  const payload = value.slice(0, dot);
  const given = Buffer.from(value.slice(dot + 1), "base64url");
  const expected = mac(payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let parsed: Payload;
  try {
    parsed = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Payload;
  } catch {
    return null;
  }
  if (!isEntry(parsed.s) || typeof parsed.c !== "string" || !Number.isFinite(parsed.t)) return null;
  if (parsed.t > now + 1_000 || now - parsed.t > MAX_AGE_MS) return null;
  if (parsed.s.expiresAt <= now) return null;
  if (!credential || cookieHash(credential) !== parsed.c) return null;
  return parsed.s;
}
