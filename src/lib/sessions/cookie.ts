// The session cookie, as better-auth writes it: `<token>.<base64 HMAC-SHA256(token)>`,
// URL-encoded, named rv.session_token (__Host-rv.session_token on https). The one reader
// of it for the proxy, route handlers, pages and tests; and the naming of every cookie
// better-auth sets for the app (betterAuthCookieOptions).
//
// On https every cookie is `__Host-`: Secure, Path=/, no Domain, so the browser accepts it
// only from this host itself. `__Secure-` (better-auth's default) only requires Secure: a
// sibling subdomain (or anything serving https under the parent domain) could plant a
// `__Secure-` cookie with Domain=<parent>, e.g. its own valid session (login CSRF) or its
// own device id. Cookies under the old `__Secure-` names are never read.
//
// Parsing the Cookie header is better-auth's parseCookies (RFC 6265 names and values,
// percent-decoding). Its getSessionCookie is not used: it accepts the cookie with OR
// without the __Secure- prefix whatever the scheme (on https an unprefixed cookie could
// be planted over http or by a sibling subdomain), and it does not verify the HMAC.
// So the name is chosen here and the signature is verified here: a forged or tampered
// cookie is rejected with no I/O at all.
import { createHmac, timingSafeEqual } from "node:crypto";
import { parseCookies } from "better-auth/cookies";
import { env } from "@/lib/env";

export const COOKIE_PREFIX = "rv";

export function secureCookies(): boolean {
  return env().APP_URL.startsWith("https://");
}

/** "__Host-" on https, nothing on http (development: browsers refuse prefixed cookies without Secure). */
function namePrefix(): string {
  return secureCookies() ? "__Host-" : "";
}

/**
 * better-auth's `advanced` cookie options. better-auth 1.7 knows only the `__Secure-`
 * prefix (useSecureCookies); `__Host-` is reached by turning that off and putting the
 * prefix in cookiePrefix, with Secure set explicitly. better-call then enforces the rest of
 * `__Host-` on every cookie it serialises (Secure, Path=/, no Domain). No
 * crossSubDomainCookies: a Domain attribute would contradict `__Host-`.
 */
export function betterAuthCookieOptions() {
  return {
    cookiePrefix: `${namePrefix()}${COOKIE_PREFIX}`,
    useSecureCookies: false,
    defaultCookieAttributes: { sameSite: "lax" as const, httpOnly: true, secure: secureCookies(), path: "/" },
  };
}

export function sessionCookieName(): string {
  return `${namePrefix()}${COOKIE_PREFIX}.session_token`;
}

/** better-auth's two-factor plugin's challenge cookie (the password step's, for the second). */
export function twoFactorCookieName(): string {
  return `${namePrefix()}${COOKIE_PREFIX}.two_factor`;
}

/** Cookie names to clear when a session is rejected (better-auth's set). */
export function authCookieNames(): string[] {
  return ["session_token", "session_data", "dont_remember"].map((n) => `${namePrefix()}${COOKIE_PREFIX}.${n}`);
}

const MAX_COOKIE_LENGTH = 512;

/** The session cookie's value in a request's Cookie header (decoded, unverified), if any. */
export function readSessionCookie(headers: Headers): string | undefined {
  const header = headers.get("cookie");
  if (!header) return undefined;
  return parseCookies(header).get(sessionCookieName());
}

/** The token inside a signed session cookie value (raw or decoded), or null if it is malformed or forged. */
export function verifySessionCookie(raw: string | undefined | null, secret = env().BETTER_AUTH_SECRET): string | null {
  if (!raw || raw.length > MAX_COOKIE_LENGTH) return null;
  let value = raw;
  if (value.includes("%")) {
    try {
      value = decodeURIComponent(value);
    } catch {
      return null;
    }
  }
  const dot = value.lastIndexOf(".");
  if (dot < 1) return null;
  const token = value.slice(0, dot);
  const signature = value.slice(dot + 1);
  if (signature.length !== 44 || !signature.endsWith("=")) return null;
  // Compare the text, not the decoded bytes: base64 decoding ignores the last character's two
  // spare bits, so four spellings decode to one signature. Only the canonical one is the cookie.
  const expected = Buffer.from(createHmac("sha256", secret).update(token).digest("base64"));
  if (!timingSafeEqual(Buffer.from(signature), expected)) return null;
  return token;
}

/** Signs a token the way better-auth does (tests and tools use it). */
export function signSessionToken(token: string, secret = env().BETTER_AUTH_SECRET): string {
  const signature = createHmac("sha256", secret).update(token).digest("base64");
  return encodeURIComponent(`${token}.${signature}`);
}
