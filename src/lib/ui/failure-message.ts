// Every failed request the browser makes, whether to better-auth or to our /api routes,
// becomes one readable sentence here: rate limits (with Retry-After), server errors,
// network failures, and the known error codes of both. Forms and the panel show these
// words, never a raw code or a server's own message for one of our codes.
import { API_ERROR, isApiErrorCode, type ApiErrorCode } from "@/lib/http/error-codes";

/** What the browser knows about a failed request. `status` 0: it never got an answer. */
export interface RequestFailure {
  status: number;
  /** Our API's code, or better-auth's (UPPER_SNAKE). */
  code?: string | null;
  /** better-auth's own message, used only for its codes we have no words for. */
  message?: string | null;
  /** Seconds from the Retry-After header, when the server sent one. */
  retryAfter?: number | null;
}

export const NETWORK_FAILURE: RequestFailure = { status: 0, code: null };

const API_MESSAGES: Record<ApiErrorCode, string> = {
  [API_ERROR.unauthenticated]: "Your session has ended. Sign in again to continue.",
  [API_ERROR.unavailable]: "We couldn't reach the session service, so nothing was changed. Try again in a moment.",
  [API_ERROR.reauthenticationRequired]: "Enter your password to continue.",
  [API_ERROR.invalidPassword]: "That password is not correct.",
  [API_ERROR.tooManyAttempts]: "Too many password attempts. Wait a few minutes and try again.",
  [API_ERROR.tooManyRequests]: "Too many tries from this network. Wait a few minutes and try again.",
  [API_ERROR.tooManyStreams]: "Too many open tabs are following this account's sign-ins. Close a few and reload.",
  [API_ERROR.methodNotAllowed]: "The request was not understood. Reload the page and try again.",
  [API_ERROR.sessionNotFound]: "That device was already signed out.",
  [API_ERROR.cannotRevokeCurrent]: "That is the device you are using. Use Sign out at the top of the page instead.",
  [API_ERROR.crossSiteRequest]: "This request came from another site and was refused. Reload the page and try again.",
  [API_ERROR.invalidBody]: "The request was not understood. Reload the page and try again.",
  [API_ERROR.malformedJson]: "The request was not understood. Reload the page and try again.",
  [API_ERROR.bodyTooLarge]: "The request was too large. Reload the page and try again.",
  [API_ERROR.unsupportedMediaType]: "The request was not understood. Reload the page and try again.",
  [API_ERROR.notFound]: "That page or action does not exist here.",
  [API_ERROR.invalidCursor]: "The activity list could not continue from there. Reload the page to start again.",
  [API_ERROR.invalidLink]: "This link is not valid. Use the link exactly as it appears in the email.",
  [API_ERROR.linkExpired]: "This link has expired. Review your devices from the Security page, or reset your password.",
  [API_ERROR.linkUsed]: "This link was already used. Nothing else was changed.",
  [API_ERROR.accountNotFound]: "The account this link was for no longer exists. You can create a new one.",
  [API_ERROR.bearerNotAccepted]: "This request was refused: a browser uses its sign-in cookie, not a token. Reload the page and try again.",
  [API_ERROR.invalidClient]: "The app's name or platform was not accepted. Update the app and try again.",
  [API_ERROR.forbidden]: "Your account is not allowed to do that.",
  [API_ERROR.userNotFound]: "That account no longer exists.",
  [API_ERROR.impersonationRestricted]: "Support access cannot change the password, email, sign-in methods or sessions of this account.",
  [API_ERROR.internal]: "Something went wrong on our side. Nothing was changed. Try again in a moment.",
};

// better-auth's codes (UPPER_SNAKE) that our forms meet.
const AUTH_MESSAGES: Record<string, string> = {
  SECOND_FACTOR_REQUIRED: "Sign in again with your second factor (authenticator app, backup code or passkey) before viewing an account as its user.",
  CANNOT_IMPERSONATE_ADMIN: "Another administrator's account cannot be viewed as its user.",
  CANNOT_IMPERSONATE_SELF: "You are already signed in as yourself.",
  CANNOT_IMPERSONATE_BANNED: "A suspended account cannot be viewed as its user. Lift the suspension first.",
  INVALID_EMAIL_OR_PASSWORD: "That email and password don't match. Check them and try again.",
  INVALID_PASSWORD: "That password is not correct.",
  EMAIL_NOT_VERIFIED: "Please verify your email address before signing in.",
  PASSWORD_TOO_SHORT: "Use at least 10 characters.",
  PASSWORD_TOO_LONG: "Use at most 128 characters.",
  INVALID_EMAIL: "Enter a valid email address, like name@example.com.",
  INVALID_TOKEN: "This link is invalid or has expired.",
  TOKEN_EXPIRED: "This link has expired.",
  USER_ALREADY_EXISTS: "An account with this email already exists. Sign in instead.",
  USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL: "An account with this email already exists. Sign in instead.",
  // Passkeys (better-auth's passkey plugin, lib/auth/passkeys.ts, and the browser's WebAuthn errors).
  USER_VERIFICATION_REQUIRED: "Your passkey did not check it was you (no PIN, fingerprint or face). Use a passkey that asks for one.",
  PASSKEY_NOT_FOUND: "That passkey is not registered with Revocable (it may have been removed). Sign in with your password.",
  AUTHENTICATION_FAILED: "The passkey could not be checked. Try again, or sign in with your password.",
  CHALLENGE_NOT_FOUND: "The passkey request expired. Try again.",
  AUTH_CANCELLED: "Passkey sign-in was cancelled. Try again, or sign in with your password.",
  ERROR_CEREMONY_ABORTED: "Adding the passkey was cancelled. Nothing was changed.",
  REGISTRATION_CANCELLED: "Adding the passkey was cancelled. Nothing was changed.",
  ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED: "This device already holds a passkey for your account.",
  PREVIOUSLY_REGISTERED: "This device already holds a passkey for your account.",
  FAILED_TO_VERIFY_REGISTRATION: "The new passkey could not be checked. Nothing was changed. Try again.",
};

const UNREACHABLE = "We couldn't reach the server. Check your connection and try again.";
const SERVER_ERROR = "Something went wrong on our side. Please try again in a moment.";

/** "Try again in 45 seconds." / "in 2 minutes" / "in a minute" when the wait is unknown. */
export function retryAfterText(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) return "Wait a minute, then try again.";
  if (seconds < 60) return `Try again in ${Math.ceil(seconds)} ${Math.ceil(seconds) === 1 ? "second" : "seconds"}.`;
  const minutes = Math.ceil(seconds / 60);
  return `Try again in ${minutes} ${minutes === 1 ? "minute" : "minutes"}.`;
}

/** Retry-After as seconds (delta-seconds or an HTTP date), or null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, Math.round((at - Date.now()) / 1000));
}

export interface MessageOptions {
  /** When nothing more specific is known (a 4xx with an unknown code). */
  fallback?: string;
  /** The first sentence for a 429, e.g. "You've asked for several emails in a short time." */
  tooMany?: string;
  /** The sentence for a 5xx, e.g. "We couldn't send the email just now." */
  serverError?: string;
}

/** A sentence for the person at the keyboard, never a raw code. */
export function failureMessage(failure: RequestFailure, options: MessageOptions = {}): string {
  const fallback = options.fallback ?? "Something went wrong. Please try again.";
  if (failure.status === 429) return `${options.tooMany ?? "Too many attempts."} ${retryAfterText(failure.retryAfter)}`;
  if (failure.status === 0) return UNREACHABLE;
  const code = failure.code ?? "";
  if (isApiErrorCode(code)) return API_MESSAGES[code];
  if (AUTH_MESSAGES[code]) return AUTH_MESSAGES[code];
  if (failure.status >= 500) return options.serverError ?? SERVER_ERROR;
  return failure.message || fallback;
}
