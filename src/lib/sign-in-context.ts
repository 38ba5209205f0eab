// How a session was signed in, and whether its device is new: set when the session is
// created (lib/auth/sign-in-context-plugin.ts), carried by the index value and the sessions
// API to the Active devices panel. Kept free of app imports: the emails use the words too.

/** How a session started. Stored in session.sign_in_method. */
export type SignInMethod = "password" | "email-verification" | "passkey" | "password+totp" | "password+backup-code";

const METHODS: ReadonlySet<string> = new Set<SignInMethod>(["password", "email-verification", "passkey", "password+totp", "password+backup-code"]);

/** A stored method back to the union (anything else reads as unknown). */
export function asSignInMethod(value: string | null | undefined): SignInMethod | null {
  return value && METHODS.has(value) ? (value as SignInMethod) : null;
}

/** What the panel and the emails say after "Signed in with". */
export const SIGN_IN_METHOD_WORDS: Record<SignInMethod, string> = {
  password: "password",
  "email-verification": "email verification link",
  passkey: "passkey",
  "password+totp": "password and authenticator app",
  "password+backup-code": "password and backup code",
};

/** Second-step paths (lib/auth/two-factor.ts): a sign-in without a session, a re-issue with one. */
const SECOND_STEP_METHODS: Record<string, SignInMethod> = {
  "/two-factor/verify-totp": "password+totp",
  "/two-factor/verify-backup-code": "password+backup-code",
};

/**
 * The method of a session better-auth creates at `path`. A password change re-issues the
 * changer's session: it keeps the method that session was signed in with (`previous`).
 * Null for a path that is not a sign-in the app knows.
 */
export function signInMethodOf(path: string | undefined, previous?: string | null): SignInMethod | null {
  switch (path) {
    case "/sign-in/email":
    case "/sign-up/email": // only without required verification; kept for completeness
      return "password";
    case "/verify-email": // better-auth's autoSignInAfterVerification (off in this app)
    case "/verify-email/sign-in": // a confirmed verification link signs in a browser without a session (lib/auth/verification-confirm.ts)
      return "email-verification";
    case "/change-password":
    case "/two-factor/disable": // re-issues the session like a password change
      return asSignInMethod(previous) ?? "password";
    case "/two-factor/verify-totp":
    case "/two-factor/verify-backup-code":
      // With a session (confirming the authenticator app) the session is re-issued.
      return previous !== undefined && previous !== null ? (asSignInMethod(previous) ?? "password") : SECOND_STEP_METHODS[path]!;
    default:
      return null;
  }
}

/** A session's sign-in context as the index and the panel carry it (times in epoch ms). */
export interface SignInContext {
  signInMethod: SignInMethod | null;
  /** When the session's device (its device cookie) was first seen; null when unknown. */
  deviceFirstSeenAt: number | null;
}

/** How long a device counts as new in the panel. */
export const NEW_DEVICE_MS = 24 * 3600 * 1000;

export function isNewDevice(firstSeenAt: number | null, now: number): boolean {
  return firstSeenAt !== null && now - firstSeenAt < NEW_DEVICE_MS;
}
