// The signed-in session of a request, for the proxy, route handlers and pages.
//
// checkRequestSession() is the full check (validate.ts) with its repairs scheduled
// (repairs.ts). requireSession() is what a route handler calls: it takes the verdict the
// proxy already reached for this very request (forwarded.ts) and only checks again when
// there is none it can trust. Why that is safe: docs/code-map.md, "Handler re-check".
import { ApiError } from "@/lib/http/errors";
import type { ValidityEntry } from "@/lib/session-index";
import { readSessionCookie } from "./cookie";
import { readForwardedVerdict } from "./forwarded";
import { scheduleRepairs } from "./repairs";
import { checkSessionCookie, type SessionCheck } from "./validate";

/** The per-request check of a cookie value; the writes it asks for run in the background. */
export async function checkRequestSession(cookieValue: string | undefined | null, now = Date.now()): Promise<SessionCheck> {
  const check = await checkSessionCookie(cookieValue, now);
  scheduleRepairs(check.repairs);
  return check;
}

/** The live session of a request (the proxy's verdict when it gave one), or a 401. */
export async function sessionOfRequest(headers: Headers): Promise<SessionCheck> {
  const forwarded = readForwardedVerdict(headers);
  if (forwarded) return { ok: true, session: forwarded, source: "proxy", repairs: [] };
  return checkRequestSession(readSessionCookie(headers));
}

export async function requireSession(request: Request): Promise<ValidityEntry> {
  const check = await sessionOfRequest(request.headers);
  if (!check.ok) throw new ApiError(401, "unauthenticated", "You are not signed in, or your session has ended.");
  return check.session;
}
