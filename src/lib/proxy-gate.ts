// The request-time gate behind src/proxy.ts. Public paths pass; everything else needs
// a session the index (or, on a miss, Postgres) says is live. One index look-up on the
// hot path, zero database queries.
import { NextResponse, type NextRequest } from "next/server";
import { API_ERROR } from "@/lib/http/error-codes";
import { postgresStillDown } from "@/lib/health/postgres";
import { authCookieNames, secureCookies } from "@/lib/sessions/cookie";
import { credentialFor, credentialValue } from "@/lib/sessions/credential";
import { signVerdict, VERDICT_HEADER } from "@/lib/sessions/forwarded";
import { checkRequestSession } from "@/lib/sessions/request";
import type { SessionCheck } from "@/lib/sessions/validate";

// /report-sign-in: "this wasn't me" from the new-sign-in email, reached signed out (its
// token is the credential; the page only shows, POST /api/report-sign-in acts).
const PUBLIC_PAGES = new Set(["/", "/sign-in", "/sign-up", "/forgot-password", "/reset-password", "/verify-email", "/check-email", "/report-sign-in"]);
// Operations endpoints, exact paths only. /api/metrics checks its own bearer token.
// /api/verify-email: the verification page's confirm button (the emailed token is the credential).
const PUBLIC_ENDPOINTS = new Set(["/api/health", "/api/ready", "/api/metrics", "/api/report-sign-in", "/api/verify-email"]);
const PUBLIC_PREFIXES = ["/api/auth/", "/_next/", "/favicon"];

export function isPublicPath(pathname: string): boolean {
  return PUBLIC_PAGES.has(pathname) || PUBLIC_ENDPOINTS.has(pathname) || PUBLIC_PREFIXES.some((p) => pathname.startsWith(p));
}

function isApi(pathname: string): boolean {
  return pathname === "/api" || pathname.startsWith("/api/");
}

function clearAuthCookies(response: NextResponse): NextResponse {
  for (const name of authCookieNames()) {
    response.cookies.set(name, "", { path: "/", maxAge: 0, httpOnly: true, sameSite: "lax", secure: secureCookies() });
  }
  return response;
}

function reject(request: NextRequest, check: Extract<SessionCheck, { ok: false }>, bearer: boolean): NextResponse {
  const { pathname, search } = request.nextUrl;
  // A bearer client has no cookies to clear.
  const hadSession = check.reason !== "missing" && !bearer;
  if (isApi(pathname)) {
    const res = NextResponse.json(
      { error: { code: API_ERROR.unauthenticated, message: "You are not signed in, or your session has ended." } },
      { status: 401 },
    );
    return hadSession ? clearAuthCookies(res) : res;
  }
  const url = new URL("/sign-in", request.url);
  url.search = "";
  url.searchParams.set("next", pathname + search);
  if (hadSession) url.searchParams.set("reason", check.reason === "idle" ? "idle" : "signed-out");
  const res = NextResponse.redirect(url, 303);
  res.headers.set("Cache-Control", "no-store");
  return hadSession ? clearAuthCookies(res) : res;
}

function unavailable(request: NextRequest): NextResponse {
  const headers = { "Retry-After": "5", "Cache-Control": "no-store" };
  if (isApi(request.nextUrl.pathname)) {
    return NextResponse.json(
      { error: { code: API_ERROR.unavailable, message: "The service is temporarily unavailable. Please try again shortly." } },
      { status: 503, headers },
    );
  }
  return new NextResponse(
    "<!doctype html><title>Temporarily unavailable</title><h1>We’ll be right back</h1><p>Revocable cannot reach its session store. Please try again in a moment.</p>",
    { status: 503, headers: { ...headers, "Content-Type": "text/html; charset=utf-8" } },
  );
}

/** Passes the request on without any client-sent copy of the verdict header. */
function passPublic(forward: Headers): NextResponse {
  forward.delete(VERDICT_HEADER);
  return NextResponse.next({ request: { headers: forward } });
}

/**
 * `forward`: the request headers Next's handlers will see (src/proxy.ts adds the CSP nonce
 * there); the gate adds or removes only its verdict header.
 */
export async function gate(request: NextRequest, forward = new Headers(request.headers)): Promise<NextResponse> {
  if (isPublicPath(request.nextUrl.pathname)) return passPublic(forward);
  const credential = credentialFor(request.headers, request.method, request.nextUrl.pathname);
  if (credential.kind === "refused") {
    return NextResponse.json({ error: { code: API_ERROR.bearerNotAccepted, message: credential.message } }, { status: 400, headers: { "Cache-Control": "no-store" } });
  }
  const value = credentialValue(credential);
  let check: SessionCheck;
  try {
    check = await checkRequestSession(value);
  } catch (err) {
    console.error("[proxy] session check failed:", (err as Error).message);
    return unavailable(request);
  }
  if (!check.ok) return reject(request, check, credential.kind === "bearer");
  // Pages read Postgres; once it is known down, answer the 503 page rather than Next's error page.
  if (!isApi(request.nextUrl.pathname) && (await postgresStillDown())) return unavailable(request);
  // Hand the verdict to the route handler (overwriting any client-sent copy), so it need
  // not check again: see lib/sessions/forwarded.ts.
  forward.set(VERDICT_HEADER, signVerdict(check.session, value!));
  const res = NextResponse.next({ request: { headers: forward } });
  // Signed-in pages must not be served from the browser cache after sign-out (ASVS 7.4.1).
  res.headers.set("Cache-Control", "private, no-store");
  return res;
}
