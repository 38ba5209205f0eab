// better-auth answers errors as { code, message, status }. These are the words we show.
export interface AuthClientError {
  code?: string;
  message?: string;
  status: number;
  statusText?: string;
}

const MESSAGES: Record<string, string> = {
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
};

/** A sentence for the person at the keyboard, never a raw code. */
export function authErrorMessage(error: AuthClientError | null | undefined, fallback = "Something went wrong. Please try again."): string {
  if (!error) return fallback;
  if (error.status === 429) return "Too many attempts. Wait a minute, then try again.";
  if (error.code && MESSAGES[error.code]) return MESSAGES[error.code]!;
  if (error.status >= 500 || error.status === 0) return "We couldn't reach the server. Check your connection and try again.";
  return error.message || fallback;
}

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 128;

/** Client-side check matching the server's rule (10–128 characters). */
export function passwordProblem(password: string): string | null {
  if (password.length === 0) return "Enter a new password.";
  if (password.length < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters (${password.length} so far).`;
  if (password.length > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters.`;
  return null;
}

export function emailProblem(email: string): string | null {
  if (email.trim() === "") return "Enter your email address.";
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) return "Enter a valid email address, like name@example.com.";
  return null;
}
