// The browser side of /api/sessions: typed results instead of thrown errors. A failure
// carries the API's code (see lib/http/error-codes.ts) for the caller to switch on;
// failureMessage() has the words for it.
// (A type-only import from the server module: nothing of it reaches the bundle.)
import { isApiErrorCode, type ApiErrorCode } from "@/lib/http/error-codes";
import type { SessionView } from "@/lib/sessions/service";
import { NETWORK_FAILURE, parseRetryAfter, type RequestFailure } from "./failure-message";

export type { SessionView };

export interface ApiFailure extends RequestFailure {
  ok: false;
  /** null: no answer (network), or an answer without one of our codes. */
  code: ApiErrorCode | null;
}

export type ApiResult<T> = ({ ok: true } & T) | ApiFailure;

export async function failureOf(res: Response): Promise<ApiFailure> {
  let code: ApiErrorCode | null = null;
  try {
    const body = (await res.json()) as { error?: { code?: unknown } };
    if (isApiErrorCode(body.error?.code)) code = body.error.code;
  } catch {
    // not JSON (a proxy's error page): the status says enough
  }
  return { ok: false, status: res.status, code, retryAfter: parseRetryAfter(res.headers.get("retry-after")) };
}

export const NETWORK: ApiFailure = { ...NETWORK_FAILURE, ok: false, code: null };

export async function fetchSessions(signal?: AbortSignal): Promise<ApiResult<{ sessions: SessionView[] }>> {
  try {
    const res = await fetch("/api/sessions", { cache: "no-store", headers: { accept: "application/json" }, signal });
    if (!res.ok) return failureOf(res);
    const body = (await res.json()) as { sessions: SessionView[] };
    return { ok: true, sessions: body.sessions };
  } catch (err) {
    if ((err as Error).name === "AbortError") throw err;
    return NETWORK;
  }
}

export type SignOutRequest = ({ sessionId: string } | { all: true }) & { password?: string };

/** Asks the server to sign out one device or all others (POST /api/sessions/revoke). */
export async function requestSignOut(body: SignOutRequest): Promise<ApiResult<{ revoked: number }>> {
  try {
    const res = await fetch("/api/sessions/revoke", {
      method: "POST",
      cache: "no-store",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
    });
    if (!res.ok) return failureOf(res);
    const data = (await res.json()) as { revoked: number };
    return { ok: true, revoked: data.revoked };
  } catch {
    return NETWORK;
  }
}

/** Where to send someone whose own session ended while the page was open. */
export function signedOutUrl(nextPath: string): string {
  return `/sign-in?next=${encodeURIComponent(nextPath)}&reason=signed-out`;
}
