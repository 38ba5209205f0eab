// How a session was signed in, and whether its device is new: set when the session is
// created (lib/auth/sign-in-context-plugin.ts), carried by the index value and the sessions
// API to the Active devices panel. Kept free of app imports: the emails use the words too.

/** The OAuth providers the app knows, by their better-auth provider id (docs/oauth.md). */
export type OAuthProviderId = "github" | "google" | "oidc";
export const OAUTH_PROVIDER_IDS: readonly OAuthProviderId[] = ["github", "google", "oidc"];

/** A first step (the password or a provider) followed by the second factor (lib/auth/two-factor.ts). */
export type FirstStep = "password" | OAuthProviderId;
export type TwoStepMethod = `${FirstStep}+${"totp" | "backup-code"}`;
const FIRST_STEPS: readonly FirstStep[] = ["password", ...OAUTH_PROVIDER_IDS];
export const TWO_STEP_METHODS: readonly TwoStepMethod[] = FIRST_STEPS.flatMap((first) => [`${first}+totp` as const, `${first}+backup-code` as const]);

/** How a session started. Stored in session.sign_in_method. */
// "passkey": a passkey with user verification (lib/auth/passkeys.ts); "impersonation": a
// support session an administrator opened as the user (lib/auth/impersonation.ts).
export type SignInMethod = "password" | "email-verification" | "device-code" | OAuthProviderId | TwoStepMethod | "passkey" | "impersonation";

const METHODS: ReadonlySet<string> = new Set<SignInMethod>(["password", "email-verification", "device-code", ...OAUTH_PROVIDER_IDS, ...TWO_STEP_METHODS, "passkey", "impersonation"]);

/** Methods that proved a second factor: a two-step sign-in, or a passkey with user verification. */
export const SECOND_FACTOR_METHODS: ReadonlySet<string> = new Set<SignInMethod>([...TWO_STEP_METHODS, "passkey"]);

/** A stored method back to the union (anything else reads as unknown). */
export function asSignInMethod(value: string | null | undefined): SignInMethod | null {
  return value && METHODS.has(value) ? (value as SignInMethod) : null;
}

/** What the panel and the emails say after "Signed in with". */
export const SIGN_IN_METHOD_WORDS: Record<SignInMethod, string> = {
  password: "password",
  "email-verification": "email verification link",
  "device-code": "a code approved in the browser",
  github: "GitHub",
  google: "Google",
  // The configured OIDC provider's own name replaces this where the server knows it
  // (signInMethodWords, the OIDC_NAME variable).
  oidc: "single sign-on",
  "password+totp": "password and authenticator app",
  "password+backup-code": "password and backup code",
  "github+totp": "GitHub and authenticator app",
  "github+backup-code": "GitHub and backup code",
  "google+totp": "Google and authenticator app",
  "google+backup-code": "Google and backup code",
  "oidc+totp": "single sign-on and authenticator app",
  "oidc+backup-code": "single sign-on and backup code",
  passkey: "passkey",
  impersonation: "support access",
};

/** Second-step paths (lib/auth/two-factor.ts): a sign-in without a session, a re-issue with one. */
const SECOND_FACTORS: Record<string, "totp" | "backup-code"> = {
  "/two-factor/verify-totp": "totp",
  "/two-factor/verify-backup-code": "backup-code",
};

/** The words for a method, with the OIDC provider called by its configured name. */
export function signInMethodWords(method: SignInMethod, oidcName?: string): string {
  const words = SIGN_IN_METHOD_WORDS[method];
  if (!oidcName || (method !== "oidc" && !method.startsWith("oidc+"))) return words;
  return method === "oidc" ? oidcName : words.replace("single sign-on", oidcName);
}

/**
 * The method of a session better-auth creates at `path`. A password change re-issues the
 * changer's session: it keeps the method that session was signed in with (`previous`).
 * An OAuth callback's method is its provider (`providerId`, the path's :id); a second step
 * after an OAuth first step gets the provider as `providerId` too ("github+totp").
 * Null for a path that is not a sign-in the app knows.
 */
export function signInMethodOf(path: string | undefined, previous?: string | null, providerId?: string): SignInMethod | null {
  switch (path) {
    case "/callback/:id": // an OAuth provider's answer: the provider is the method
      return OAUTH_PROVIDER_IDS.find((id) => id === providerId) ?? null;
    case "/sign-in/email":
    case "/sign-up/email": // only without required verification; kept for completeness
      return "password";
    case "/verify-email": // better-auth's autoSignInAfterVerification (off in this app)
    case "/verify-email/sign-in": // a confirmed verification link signs in a browser without a session (lib/auth/verification-confirm.ts)
      return "email-verification";
    case "/passkey/verify-authentication": // a passkey with user verification (lib/auth/passkeys.ts)
      return "passkey";
    case "/device/token": // a command-line tool or TV, approved with its code (lib/auth/device-flow.ts)
      return "device-code";
    case "/admin/impersonate-user": // support viewing the app as the user (lib/auth/impersonation.ts)
      return "impersonation";
    case "/change-password":
    case "/two-factor/disable": // re-issues the session like a password change
      return asSignInMethod(previous) ?? "password";
    case "/two-factor/verify-totp":
    case "/two-factor/verify-backup-code":
      // With a session (confirming the authenticator app) the session is re-issued.
      if (previous !== undefined && previous !== null) return asSignInMethod(previous) ?? "password";
      return `${OAUTH_PROVIDER_IDS.find((id) => id === providerId) ?? "password"}+${SECOND_FACTORS[path]!}`;
    default:
      return null;
  }
}

/** A session's sign-in context as the index and the panel carry it (times in epoch ms). */
export interface SignInContext {
  signInMethod: SignInMethod | null;
  /** When the session's device (its device cookie) was first seen; null when unknown. */
  deviceFirstSeenAt: number | null;
  /** What a native app or tool declared itself as ("Revocable for iOS"); null for a browser. Unverified. */
  declaredClient?: string | null;
}

/** How long a device counts as new in the panel. */
export const NEW_DEVICE_MS = 24 * 3600 * 1000;

export function isNewDevice(firstSeenAt: number | null, now: number): boolean {
  return firstSeenAt !== null && now - firstSeenAt < NEW_DEVICE_MS;
}
