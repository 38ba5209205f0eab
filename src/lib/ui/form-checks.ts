// Client-side checks that mirror the server's rules, so a form can answer before it asks.
// (Messages for failed requests live in failure-message.ts.)
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
