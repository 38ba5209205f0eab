// GET /api/sessions/events: Server-Sent Events for the signed-in tab or native app (live sign-out).
// Behind the proxy like every protected route; 401 JSON and no stream without a session;
// 429 JSON past the per-user or per-instance cap on open streams (event-stream.ts).
import { API_ERROR } from "@/lib/http/error-codes";
import { handleErrors, jsonError } from "@/lib/http/errors";
import { openSessionStream } from "@/lib/sessions/event-stream";
import { requestCredential, requireSession } from "@/lib/sessions/request";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = handleErrors(async (request: Request) => {
  const session = await requireSession(request);
  // The cookie, or a native client's bearer token: the stream re-checks that same credential.
  return openSessionStream(session, requestCredential(request) ?? "", request.signal);
});

/**
 * Without this export Next answers HEAD by running GET and dropping the body, which opened
 * a stream (its heartbeat and subscription included) that nobody would ever read or cancel.
 * A stream has no headers worth asking for: HEAD is refused, and nothing is opened.
 */
export function HEAD(): Response {
  return jsonError(405, API_ERROR.methodNotAllowed, "Open the event stream with GET.", { Allow: "GET" });
}
