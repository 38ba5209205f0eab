// Which session credential a request presents: the browser's cookie, or a native client's
// "Authorization: Bearer <token>". One reader for the proxy gate, route handlers and the
// auth handler, so no path takes one kind and skips a rule the other obeys.
//
// The bearer value is exactly the signed cookie value (`<token>.<HMAC>`, not URL-encoded):
// the same HMAC check with no I/O, then the same index look-up, idle and absolute limits.
//
// Policy: a bearer token is for native apps and tools only. It is refused
//  - from a browser context (Origin or Sec-Fetch-Site): a page has its cookie, and
//    a token a script can read and send is what the HttpOnly cookie exists to avoid;
//  - together with a session cookie: two credentials, and one of them would be ignored;
//  - on any route a native client does not need (NATIVE_ROUTES).
// Browsers never attach an Authorization header by themselves, so a bearer request cannot
// be forged cross-site (no CSRF); the refusals above are defence in depth.
import { readSessionCookie, signSessionToken } from "./cookie";

/** A bearer value longer than this is not a session token (the cookie's bound too). */
const MAX_BEARER_LENGTH = 512;
// RFC 6750 b64token.
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** The routes a native client uses with a bearer token: "METHOD path". */
const NATIVE_ROUTES = new Set([
  "GET /api/sessions",
  "GET /api/sessions/events",
  "GET /api/auth/get-session",
  "POST /api/auth/sign-out",
]);

export type Credential =
  | { kind: "none" }
  | { kind: "cookie"; value: string }
  | { kind: "bearer"; value: string }
  | { kind: "refused"; message: string };

/**
 * Whether a request carries browser context: a browser adds these itself, and script in a
 * page cannot remove them. Not Sec-Fetch-Mode: Node's fetch sends it too (a CLI is no browser).
 */
export function isBrowserContext(headers: Headers): boolean {
  return headers.has("origin") || headers.has("sec-fetch-site");
}

function bearerOf(headers: Headers): string | null {
  const header = headers.get("authorization");
  if (!header) return null;
  const match = /^Bearer[ ]+(\S*)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

/** The credential a request presents (unverified: the HMAC and the index decide). */
export function readCredential(headers: Headers): Credential {
  const bearer = bearerOf(headers);
  const cookie = readSessionCookie(headers);
  if (bearer === null) return cookie ? { kind: "cookie", value: cookie } : { kind: "none" };
  if (isBrowserContext(headers)) return { kind: "refused", message: "A browser signs in with its cookie, not with a bearer token." };
  if (cookie) return { kind: "refused", message: "Send either a bearer token or a session cookie, not both." };
  if (bearer.length === 0 || bearer.length > MAX_BEARER_LENGTH || !B64TOKEN.test(bearer)) {
    return { kind: "refused", message: "The bearer token is malformed." };
  }
  return { kind: "bearer", value: bearer };
}

/** Whether a native client may use its bearer token on this route. */
export function bearerAllowedOn(method: string, pathname: string): boolean {
  return NATIVE_ROUTES.has(`${method.toUpperCase()} ${pathname}`);
}

/**
 * The session credential of a request to `method pathname`: the cookie, an accepted bearer
 * token, or undefined; a refusal (including a bearer token on a route it is not for) as such.
 */
export function credentialFor(headers: Headers, method: string, pathname: string): Credential {
  const credential = readCredential(headers);
  if (credential.kind === "bearer" && !bearerAllowedOn(method, pathname)) {
    return { kind: "refused", message: "This route does not take a bearer token." };
  }
  return credential;
}

/** The bearer token a native client is given for a session token: the signed cookie value, not URL-encoded. */
export function bearerTokenOf(token: string): string {
  return decodeURIComponent(signSessionToken(token));
}

/** The value to check: the cookie's or the bearer token's (both are `<token>.<HMAC>`). */
export function credentialValue(credential: Credential): string | undefined {
  return credential.kind === "cookie" || credential.kind === "bearer" ? credential.value : undefined;
}
