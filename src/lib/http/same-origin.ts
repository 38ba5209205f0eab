// Cross-site request refusal for state-changing routes: the browser's Origin (or, failing
// that, Sec-Fetch-Site) must say the request came from our own pages.
import { env } from "@/lib/env";
import { API_ERROR } from "./error-codes";
import { ApiError } from "./errors";

export function isSameOrigin(headers: Headers): boolean {
  const origin = headers.get("origin");
  if (origin) return origin === new URL(env().APP_URL).origin;
  const site = headers.get("sec-fetch-site");
  // No Origin and no Fetch Metadata: not a browser form/fetch (curl, server-to-server).
  // Cookies are SameSite=Lax, so a cross-site browser POST carries no session anyway.
  return site === null || site === "same-origin" || site === "none";
}

export function assertSameOrigin(request: Request): void {
  if (!isSameOrigin(request.headers)) {
    throw new ApiError(403, API_ERROR.crossSiteRequest, "Cross-site requests are not allowed.");
  }
}
