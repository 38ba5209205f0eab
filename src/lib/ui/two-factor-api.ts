// Browser side of two-factor: the better-auth endpoints the sign-in form and the settings
// card call (plain fetch, same origin), and the authenticator-app secret read from the URI.
import { NETWORK_FAILURE, parseRetryAfter, type RequestFailure } from "./failure-message";

export type TwoFactorResult<T> = { ok: true; data: T } | { ok: false; failure: RequestFailure };

export async function twoFactorRequest<T>(path: string, body: Record<string, unknown>): Promise<TwoFactorResult<T>> {
  try {
    const res = await fetch(`/api/auth${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
    const data = (await res.json().catch(() => null)) as (T & { code?: string; message?: string }) | null;
    if (res.ok) return { ok: true, data: data as T };
    return {
      ok: false,
      failure: { status: res.status, code: data?.code ?? null, message: data?.message ?? null, retryAfter: parseRetryAfter(res.headers.get("retry-after") ?? res.headers.get("x-retry-after")) },
    };
  } catch {
    return { ok: false, failure: NETWORK_FAILURE };
  }
}

/** The base32 secret in an otpauth:// URI, for typing into an app that cannot scan. */
export function secretOf(totpURI: string): string {
  try {
    return new URL(totpURI).searchParams.get("secret") ?? "";
  } catch {
    return "";
  }
}

/** A text file of the backup codes, for the download link. */
export function backupCodesFile(codes: string[]): string {
  return `Revocable backup codes\nEach code signs in once, instead of a code from your authenticator app.\n\n${codes.join("\n")}\n`;
}
