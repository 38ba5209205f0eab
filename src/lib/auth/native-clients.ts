// Native apps and tools at better-auth's handler (see docs/native-clients.md).
//
// Sign-in: POST /api/auth/sign-in/email with X-Client-Name and X-Client-Platform and no
// browser context is a native sign-in. The declared client is plain, bounded text, stored
// with the session (sign-in-context-plugin.ts) and shown as declared: the server cannot
// verify it. The answer carries the bearer token instead of the cookie's (front-door.ts).
//
// With two-factor on, the password step answers a challenge instead of a token; the app
// sends it back with the code (X-Two-Factor-Challenge, same declaration headers) to
// /two-factor/verify-totp or /verify-backup-code, and that answer carries the token.
//
// Afterwards the app sends "Authorization: Bearer <token>" (lib/sessions/credential.ts).
// On the two better-auth routes a native client uses (get-session, sign-out) the token is
// handed to better-auth as the session cookie it would otherwise read, so every rule the
// front door applies to a cookie applies to the token too. Anywhere else under /api/auth
// a bearer token is a 400.
import { env } from "@/lib/env";
import { errorBody, type ApiErrorCode } from "@/lib/http/error-codes";
import { sessionCookieName, twoFactorCookieName } from "@/lib/sessions/cookie";
import { bearerTokenOf, credentialFor, isBrowserContext } from "@/lib/sessions/credential";
import { readSessionCookie } from "@/lib/sessions/cookie";

export const CLIENT_NAME_HEADER = "x-client-name";
export const CLIENT_PLATFORM_HEADER = "x-client-platform";
/** A native second step's challenge: what a browser's two_factor cookie holds. */
export const CHALLENGE_HEADER = "x-two-factor-challenge";
/** better-auth's second-step endpoints, as URL paths. */
const NATIVE_SECOND_STEP_URLS = new Set(["/api/auth/two-factor/verify-totp", "/api/auth/two-factor/verify-backup-code"]);
// `2fa-<20 letters, digits, _ or ->.<base64 HMAC-SHA256>`: the signed cookie value, nothing else.
const CHALLENGE = /^2fa-[A-Za-z0-9_-]{20}\.[A-Za-z0-9+/]{43}=$/;

// Printable ASCII words: header values are byte strings, and this text is shown to the
// account's owner (panel, emails) as the client's own claim.
const CLIENT_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._+()-]{0,39}$/;
const CLIENT_PLATFORM = /^[A-Za-z0-9][A-Za-z0-9 ._+()-]{0,19}$/;

export type DeclaredClient = { ok: true; label: string } | { ok: false; code: ApiErrorCode; message: string };

/**
 * The client a sign-in request declares ("Revocable for iOS"), null when it declares none
 * (a browser's sign-in), or why the declaration is refused.
 */
export function declaredClientOf(headers: Headers | undefined): DeclaredClient | null {
  const name = headers?.get(CLIENT_NAME_HEADER) ?? null;
  const platform = headers?.get(CLIENT_PLATFORM_HEADER) ?? null;
  if (name === null && platform === null) return null;
  if (isBrowserContext(headers!) || readSessionCookie(headers!)) {
    return { ok: false, code: "bearer_not_accepted", message: "A browser signs in with its cookie; only native clients declare a client name." };
  }
  const n = name?.trim() ?? "";
  const p = platform?.trim() ?? "";
  if (!CLIENT_NAME.test(n) || !CLIENT_PLATFORM.test(p)) {
    return { ok: false, code: "invalid_client", message: "X-Client-Name (up to 40) and X-Client-Platform (up to 20) must be plain letters, digits, spaces and . _ + ( ) -." };
  }
  return { ok: true, label: `${n} for ${p}` };
}

const refuse = (status: number, code: ApiErrorCode, message: string) =>
  Response.json(errorBody(code, message), { status, headers: { "Cache-Control": "no-store" } });

/**
 * The request better-auth's handler gets, or the refusal answered instead: a bearer token
 * becomes the session cookie on the routes that take one; a refused token or declaration
 * is a 400 before better-auth runs.
 */
export function withNativeCredential(request: Request): Request | Response {
  const pathname = new URL(request.url).pathname;
  if (request.method === "POST" && pathname === "/api/auth/sign-in/email") {
    const declared = declaredClientOf(request.headers);
    if (declared && !declared.ok) return refuse(400, declared.code, declared.message);
  }
  if (request.headers.has(CHALLENGE_HEADER)) return withNativeChallenge(request, pathname);
  const credential = credentialFor(request.headers, request.method, pathname);
  if (credential.kind === "refused") return refuse(400, "bearer_not_accepted", credential.message);
  if (credential.kind !== "bearer") return request;
  const headers = new Headers(request.headers);
  headers.delete("authorization");
  headers.set("cookie", `${sessionCookieName()}=${encodeURIComponent(credential.value)}`);
  // better-auth checks the Origin of a request with cookies. This one has no browser
  // context (credential.ts refused those), and no browser sends a bearer token by itself:
  // it cannot be a cross-site request, so it is given the app's own origin.
  headers.set("origin", new URL(env().APP_URL).origin);
  return new Request(request, { headers });
}

/**
 * A native second step: the challenge header becomes the two_factor cookie better-auth's
 * verify endpoints read. Only a declared native client, only on those endpoints, only a
 * well-formed value, and never beside a bearer token or a session cookie.
 */
function withNativeChallenge(request: Request, pathname: string): Request | Response {
  if (request.method !== "POST" || !NATIVE_SECOND_STEP_URLS.has(pathname)) {
    return refuse(400, "bearer_not_accepted", "A two-factor challenge is only sent to /two-factor/verify-totp or /two-factor/verify-backup-code.");
  }
  const declared = declaredClientOf(request.headers);
  if (!declared) return refuse(400, "invalid_client", "A two-factor challenge is sent with X-Client-Name and X-Client-Platform, as at sign-in.");
  if (!declared.ok) return refuse(400, declared.code, declared.message);
  if (request.headers.has("authorization") || request.headers.has("cookie")) {
    return refuse(400, "bearer_not_accepted", "A two-factor challenge is sent on its own, without a token or cookies.");
  }
  const challenge = request.headers.get(CHALLENGE_HEADER)!.trim();
  // A malformed value is answered like an expired one, by better-auth (no cookie is sent).
  const headers = new Headers(request.headers);
  headers.delete(CHALLENGE_HEADER);
  if (CHALLENGE.test(challenge)) headers.set("cookie", `${twoFactorCookieName()}=${encodeURIComponent(challenge)}`);
  // better-auth checks the origin of a request with cookies (Origin, else Referer). The
  // Referer is given, not the Origin, which would make the request read as a browser's
  // (credential.ts) and lose its declaration; no browser context reached here.
  headers.set("referer", `${new URL(env().APP_URL).origin}/`);
  return new Request(request, { headers });
}

/**
 * A native sign-in's answer: the bearer token (the one credential the app keeps) and the
 * device it now is in the account's list. Null for any other sign-in or a failed one.
 */
export function nativeSignInAnswer(headers: Headers | undefined, returned: unknown, newSessionId: string | undefined): Record<string, unknown> | null {
  const declared = declaredClientOf(headers);
  if (!declared?.ok || !newSessionId || returned === null || typeof returned !== "object" || returned instanceof Response || returned instanceof Error) return null;
  const body = returned as Record<string, unknown>;
  if (typeof body.token !== "string") return null;
  return { token: bearerTokenOf(body.token), device: { sessionId: newSessionId, name: declared.label, declared: true }, user: body.user ?? null };
}
