// One way to call better-auth from a form: its error, a network failure (better-fetch
// throws those) and the Retry-After header of a 429 all come back as a RequestFailure,
// which failureMessage() turns into words.
import { NETWORK_FAILURE, parseRetryAfter, type RequestFailure } from "./failure-message";

interface AuthClientResult<T> {
  data: T | null;
  error: { status: number; code?: string; message?: string } | null;
}

/** The fetch options handed to the better-auth client call (it reads headers on error). */
export interface FailureCapture {
  onError: (context: { response: Response }) => void;
}

export type AuthRequestResult<T> = { ok: true; data: T } | { ok: false; failure: RequestFailure };

export async function authRequest<T>(call: (fetchOptions: FailureCapture) => Promise<AuthClientResult<T>>): Promise<AuthRequestResult<T>> {
  let retryAfter: number | null = null;
  const capture: FailureCapture = {
    onError: ({ response }) => {
      // better-auth's own limiter sends X-Retry-After; ours sends both.
      retryAfter = parseRetryAfter(response.headers.get("retry-after") ?? response.headers.get("x-retry-after"));
    },
  };
  try {
    const { data, error } = await call(capture);
    if (!error) return { ok: true, data: data as T };
    return { ok: false, failure: { status: error.status, code: error.code ?? null, message: error.message ?? null, retryAfter } };
  } catch {
    return { ok: false, failure: NETWORK_FAILURE };
  }
}
