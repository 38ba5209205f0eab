// The signed-in session of a request, for route handlers and server components.
// Re-checks the index itself (one look-up) instead of trusting anything the proxy or a
// cached copy says: authorization never rests on stale data.
import { ApiError } from "@/lib/http/errors";
import type { ValidityEntry } from "@/lib/session-index";
import { sessionCookieName } from "./cookie";
import { checkSessionCookie } from "./validate";

export function readSessionCookie(headers: Headers): string | undefined {
  const name = sessionCookieName();
  for (const part of (headers.get("cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export async function requireSession(request: Request): Promise<ValidityEntry> {
  const check = await checkSessionCookie(readSessionCookie(request.headers));
  if (!check.ok) throw new ApiError(401, "unauthenticated", "You are not signed in, or your session has ended.");
  return check.session;
}
