// Hostile input on better-auth's endpoints: refused with a 400 before better-auth runs,
// because Postgres text refuses NUL bytes and better-auth lets them reach a query (a 500
// with a stack trace). Names get the app's bounds, which better-auth does not have.
import { APIError } from "better-auth/api";

/** C0 controls, DEL and C1 controls: no field a person types holds them. */
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;
/** Passwords are hashed, never stored or shown: only NUL is refused (hashing is byte-safe). */
const PASSWORD_FIELDS = new Set(["password", "newPassword", "currentPassword"]);
const PASSWORD_FORBIDDEN = /\u0000/;

export const NAME_MAX_LENGTH = 100;
export const EMAIL_MAX_LENGTH = 254; // RFC 5321 path limit
/** Tokens, URLs and every other string: generous, but bounded. */
const STRING_MAX_LENGTH = 2048;
const MAX_DEPTH = 4;

function invalid(message: string): APIError {
  return new APIError("BAD_REQUEST", { code: "INVALID_INPUT", message });
}

function checkString(field: string, value: string): void {
  if (PASSWORD_FIELDS.has(field)) {
    if (PASSWORD_FORBIDDEN.test(value)) throw invalid(`${field} contains characters that are not allowed.`);
    return; // better-auth bounds password lengths (maxPasswordLength)
  }
  if (CONTROL_CHARS.test(value)) throw invalid(`${field} contains control characters.`);
  const max = field === "email" ? EMAIL_MAX_LENGTH : STRING_MAX_LENGTH; // names: normalizeName
  if (value.length > max) throw invalid(`${field} is too long (at most ${field === "name" ? NAME_MAX_LENGTH : max} characters).`);
}

function walk(field: string, value: unknown, depth: number): void {
  if (typeof value === "string") return checkString(field, value);
  if (value === null || typeof value !== "object") return;
  if (depth >= MAX_DEPTH) throw invalid("The request is nested too deeply.");
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) walk(key, inner, depth + 1);
}

/** Refuses control characters and over-long strings anywhere in a body, query or path params. */
export function assertSafeInput(input: { body?: unknown; query?: unknown; params?: unknown }): void {
  walk("body", input.body, 0);
  walk("query", input.query, 0);
  walk("params", input.params, 0);
}

/** A display name: trimmed, 1 to NAME_MAX_LENGTH characters, no control characters. */
export function normalizeName(raw: unknown): string {
  if (typeof raw !== "string") throw invalid("name must be a string.");
  const name = raw.trim();
  if (name.length === 0) throw invalid("name must not be empty.");
  if (name.length > NAME_MAX_LENGTH) throw invalid(`name is too long (at most ${NAME_MAX_LENGTH} characters).`);
  if (CONTROL_CHARS.test(name)) throw invalid("name contains control characters.");
  return name;
}

/** Endpoints that set a user's name. */
export const NAME_FIELD_PATHS = new Set(["/sign-up/email", "/update-user", "/passkey/verify-registration", "/passkey/update-passkey"]);
