// The one answer to "a store the request needs is down": 503 `unavailable` with
// Retry-After, never a 500 or a stack trace. Whether a failure was an outage is
// decided by asking Postgres (the truth) right then, not by parsing error messages.
import { probePostgres } from "@/lib/health/postgres";
import { API_ERROR, errorBody } from "./error-codes";

export const RETRY_AFTER_SECONDS = 5;

export function unavailableResponse(): Response {
  return Response.json(
    errorBody(API_ERROR.unavailable, "The service is temporarily unavailable. Please try again shortly."),
    { status: 503, headers: { "Retry-After": String(RETRY_AFTER_SECONDS), "Cache-Control": "no-store" } },
  );
}

/** True when the failure is a store outage: the session check said so, or Postgres is not answering now. */
export async function isOutage(err: unknown): Promise<boolean> {
  if ((err as Error)?.name === "SessionStoreUnavailable") return true;
  return !(await probePostgres()).ok;
}
