// What the sign-in page and the linked-accounts panel say when an OAuth round trip comes
// back with ?error= (better-auth's callback codes, the provider's own, and ours).
const MESSAGES: Record<string, string> = {
  EMAIL_NOT_VERIFIED: "Your provider has not verified that email address, so it can't be used to sign in here. Verify it with the provider, or sign in with your password.",
  account_not_linked:
    "An account with this email address already exists, and it can't be joined from here. Sign in with your password, then link the provider from Security settings.",
  email_does_not_match: "That provider account uses a different email address from this account, so it was not linked.",
  "account_already_linked_to_different_user": "That provider account is already linked to another account.",
  access_denied: "Sign-in was cancelled at the provider.",
  state_mismatch: "That sign-in link was not started in this browser, or it expired. Please try again.",
  state_not_found: "That sign-in link was not started in this browser, or it expired. Please try again.",
  please_restart_the_process: "That sign-in link expired. Please try again.",
  // The second step is normally shown instead (lib/auth/two-factor.ts); this is its fallback.
  SECOND_STEP_REQUIRED: "This account uses two-factor authentication. Sign in with your password and the code from your authenticator app.",
};

const FALLBACK = "Signing in with the provider didn't work. Please try again.";

/** The sentence for an ?error= code (null when there is none). */
export function oauthErrorMessage(code: string | null | undefined): string | null {
  if (!code) return null;
  return Object.hasOwn(MESSAGES, code) ? MESSAGES[code]! : FALLBACK;
}
