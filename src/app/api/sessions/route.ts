// GET /api/sessions: the signed-in user's sessions (Active devices panel).
import { handleErrors } from "@/lib/http/errors";
import { requireSession } from "@/lib/sessions/request";
import { listSessions } from "@/lib/sessions/service";

export const dynamic = "force-dynamic";

export const GET = handleErrors(async (request: Request) => {
  const current = await requireSession(request);
  const sessions = await listSessions(current);
  return Response.json({ sessions }, { headers: { "Cache-Control": "no-store" } });
});
