// The API's error codes: the one vocabulary the route handlers, the proxy gate and the
// browser share. A response body is { error: { code, message } } with one of these codes;
// the browser switches on the code, never on the message.
export const API_ERROR = {
  /** 401: no session, or it has ended (also answered by the proxy gate). */
  unauthenticated: "unauthenticated",
  /** 503: Postgres or the session store cannot be reached; comes with Retry-After. */
  unavailable: "unavailable",
  /** 403: ending other sessions needs a recent sign-in or the password. */
  reauthenticationRequired: "reauthentication_required",
  /** 403: the password sent for re-authentication is wrong. */
  invalidPassword: "invalid_password",
  /** 429: too many password checks for this account or from this client; comes with Retry-After. */
  tooManyAttempts: "too_many_attempts",
  /** 429: too many requests to a public route from this client address; comes with Retry-After. */
  tooManyRequests: "too_many_requests",
  /** 429: this account, or this server, holds as many live event streams as it may; comes with Retry-After. */
  tooManyStreams: "too_many_streams",
  /** 405: a method the route does not answer (HEAD on the event stream); comes with Allow. */
  methodNotAllowed: "method_not_allowed",
  /** 404: no such session for this user (another user's id answers the same). */
  sessionNotFound: "session_not_found",
  /** 400: "revoke one" aimed at the current session (sign out instead). */
  cannotRevokeCurrent: "cannot_revoke_current",
  /** 403: a POST from another site. */
  crossSiteRequest: "cross_site_request",
  /** 400: the JSON is well formed but not a valid request. */
  invalidBody: "invalid_body",
  /** 400: the body is not JSON. */
  malformedJson: "malformed_json",
  /** 413 */
  bodyTooLarge: "body_too_large",
  /** 415 */
  unsupportedMediaType: "unsupported_media_type",
  /** 404: a route that is not configured here (e.g. /api/metrics without METRICS_TOKEN). */
  notFound: "not_found",
  /** 400: the activity cursor is not one the server handed out. */
  invalidCursor: "invalid_cursor",
  /** 400: an emailed link ("this wasn't me", email verification) that is malformed, not signed by this server, or void. */
  invalidLink: "invalid_link",
  /** 410: an emailed link past its expiry. */
  linkExpired: "link_expired",
  /** 410: a verification link whose account no longer exists. */
  accountNotFound: "account_not_found",
  /** 410: a "this wasn't me" link that was already used (single use). */
  linkUsed: "link_used",
  /** 400: a bearer session token where the app does not take one (a browser context, a cookie as well, or a route native clients do not use). */
  bearerNotAccepted: "bearer_not_accepted",
  /** 400: a native sign-in's declared client name or platform is not plain bounded text (or missing where a second step's challenge is sent). */
  invalidClient: "invalid_client",
  /** 403: the signed-in user's role does not allow this console action. */
  forbidden: "forbidden",
  /** 404: no such user (admin console). */
  userNotFound: "user_not_found",
  /** 403: a support (impersonation) session may not do this: passwords, email, factors, sessions. */
  impersonationRestricted: "IMPERSONATION_RESTRICTED",
  /** 500: logged on the server, never detailed to the client. */
  internal: "internal",
} as const;

export type ApiErrorCode = (typeof API_ERROR)[keyof typeof API_ERROR];

const CODES = new Set<string>(Object.values(API_ERROR));

export function isApiErrorCode(value: unknown): value is ApiErrorCode {
  return typeof value === "string" && CODES.has(value);
}

/** The body of an error response: `{ error: { code, message } }`. */
export function errorBody(code: ApiErrorCode, message: string) {
  return { error: { code, message } };
}
