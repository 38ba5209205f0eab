// One shape for every API error: { error: { code, message } } with the right status.
import { API_ERROR, errorBody, type ApiErrorCode } from "./error-codes";
import { isOutage, unavailableResponse } from "./unavailable";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    /** Sent with the answer (a 429's Retry-After). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export function jsonError(status: number, code: ApiErrorCode, message: string, headers?: HeadersInit): Response {
  return Response.json(errorBody(code, message), { status, headers });
}

/** Wraps a route handler: ApiError -> its JSON; a store outage -> 503; anything else -> a logged 500 without details. */
export function handleErrors<A extends unknown[]>(fn: (...args: A) => Promise<Response>) {
  return async (...args: A): Promise<Response> => {
    try {
      return await fn(...args);
    } catch (err) {
      if (err instanceof ApiError) return jsonError(err.status, err.code, err.message, err.headers);
      if (await isOutage(err)) {
        console.warn("[api] store unavailable:", (err as Error)?.message);
        return unavailableResponse();
      }
      console.error("[api] unhandled error:", err);
      return jsonError(500, API_ERROR.internal, "Something went wrong on our side. Nothing was changed.");
    }
  };
}
