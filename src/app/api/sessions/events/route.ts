// GET /api/sessions/events: Server-Sent Events for the signed-in tab (live sign-out).
// Behind the proxy like every protected route; 401 JSON and no stream without a session.
import { handleErrors } from "@/lib/http/errors";
import { readSessionCookie } from "@/lib/sessions/cookie";
import { openSessionStream } from "@/lib/sessions/event-stream";
import { requireSession } from "@/lib/sessions/request";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = handleErrors(async (request: Request) => {
  const session = await requireSession(request);
  return openSessionStream(session, readSessionCookie(request.headers) ?? "", request.signal);
});
