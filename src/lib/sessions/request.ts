// The signed-in session of a request, for the proxy, route handlers and pages.
//
// checkRequestSession() is the full check (validate.ts) with its repairs scheduled
// (repairs.ts). requireSession() is what a route handler calls: it takes the verdict the
// proxy already reached for this very request (forwarded.ts) and only checks again when
// there is none it can trust. Why that is safe: docs/code-map.md, "Handler re-check".
import { ApiError } from "@/lib/http/errors";
import type { ValidityEntry } from "@/lib/session-index";
import { readSessionCookie } from "./cookie";
import { credentialFor, credentialValue } from "./credential";
import { readForwardedVerdict } from "./forwarded";
import { scheduleRepairs } from "./repairs";
import { checkSessionCookie, type SessionCheck } from "./validate";

/** The per-request check of a cookie value; the writes it asks for run in the background. */
export async function checkRequestSession(cookieValue: string | undefined | null, now = Date.now()): Promise<SessionCheck> {
  const check = await checkSessionCookie(cookieValue, now);
  scheduleRepairs(check.repairs);
  return check;
}

async function sessionOf(headers: Headers, credential: string | undefined): Promise<SessionCheck> {
  const forwarded = readForwardedVerdict(headers, credential);
  if (forwarded) return { ok: true, session: forwarded, source: "proxy", repairs: [] };
  return checkRequestSession(credential);
}

/** The live session of a page request (the cookie only: pages take no bearer token). */
export async function sessionOfRequest(headers: Headers): Promise<SessionCheck> {
  return sessionOf(headers, readSessionCookie(headers));
}

/**
 * The session credential of an API request: its cookie, or a native client's bearer token
 * on a route that takes one (credential.ts); a 400 for a bearer token refused here.
 */
export function requestCredential(request: Request): string | undefined {
  const credential = credentialFor(request.headers, request.method, new URL(request.url).pathname);
  if (credential.kind === "refused") throw new ApiError(400, "bearer_not_accepted", credential.message);
  return credentialValue(credential);
}

export async function requireSession(request: Request): Promise<ValidityEntry> {
  const check = await sessionOf(request.headers, requestCredential(request));
  if (!check.ok) throw new ApiError(401, "unauthenticated", "You are not signed in, or your session has ended.");
  return check.session;
}
