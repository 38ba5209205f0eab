// One shape for every API error: { error: { code, message } } with the right status.
import { isOutage, unavailableResponse } from "./unavailable";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function jsonError(status: number, code: string, message: string, headers?: HeadersInit): Response {
  return Response.json({ error: { code, message } }, { status, headers });
}

/** Wraps a route handler: ApiError -> its JSON; a store outage -> 503; anything else -> a logged 500 without details. */
export function handleErrors<A extends unknown[]>(fn: (...args: A) => Promise<Response>) {
  return async (...args: A): Promise<Response> => {
    try {
      return await fn(...args);
    } catch (err) {
      if (err instanceof ApiError) return jsonError(err.status, err.code, err.message);
      if (await isOutage(err)) {
        console.warn("[api] store unavailable:", (err as Error)?.message);
        return unavailableResponse();
      }
      console.error("[api] unhandled error:", err);
      return jsonError(500, "internal", "Something went wrong on our side. Nothing was changed.");
    }
  };
}
