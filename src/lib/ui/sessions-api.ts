// The browser side of /api/sessions: typed results instead of thrown errors.
// (A type-only import from the server module: nothing of it reaches the bundle.)
import type { SessionView } from "@/lib/sessions/service";

export type { SessionView };

export interface ApiFailure {
  ok: false;
  status: number;
  code: string;
  message: string;
}

export type ApiResult<T> = ({ ok: true } & T) | ApiFailure;

async function failure(res: Response): Promise<ApiFailure> {
  let code = "http_error";
  let message = `The server answered ${res.status}.`;
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    code = body.error?.code ?? code;
    message = body.error?.message ?? message;
  } catch {
    // not JSON: keep the generic message
  }
  return { ok: false, status: res.status, code, message };
}

const NETWORK: ApiFailure = { ok: false, status: 0, code: "network", message: "We couldn't reach the server." };

export async function fetchSessions(signal?: AbortSignal): Promise<ApiResult<{ sessions: SessionView[] }>> {
  try {
    const res = await fetch("/api/sessions", { cache: "no-store", headers: { accept: "application/json" }, signal });
    if (!res.ok) return failure(res);
    const body = (await res.json()) as { sessions: SessionView[] };
    return { ok: true, sessions: body.sessions };
  } catch (err) {
    if ((err as Error).name === "AbortError") throw err;
    return NETWORK;
  }
}

export type RevokeRequest = ({ sessionId: string } | { all: true }) & { password?: string };

export async function revokeSessions(body: RevokeRequest): Promise<ApiResult<{ revoked: number }>> {
  try {
    const res = await fetch("/api/sessions/revoke", {
      method: "POST",
      cache: "no-store",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
    });
    if (!res.ok) return failure(res);
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
