// One shape for every API error: { error: { code, message } } with the right status.
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

/** Wraps a route handler: ApiError -> its JSON; anything else -> a logged 500 without details. */
export function handleErrors<A extends unknown[]>(fn: (...args: A) => Promise<Response>) {
  return async (...args: A): Promise<Response> => {
    try {
      return await fn(...args);
    } catch (err) {
      if (err instanceof ApiError) return jsonError(err.status, err.code, err.message);
      if ((err as Error)?.name === "SessionStoreUnavailable") {
        return jsonError(503, "unavailable", "The service is temporarily unavailable. Please try again shortly.", {
          "Retry-After": "5",
        });
      }
      console.error("[api] unhandled error:", err);
      return jsonError(500, "internal", "Something went wrong on our side. Nothing was changed.");
    }
  };
}
