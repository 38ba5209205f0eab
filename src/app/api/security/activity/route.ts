// GET /api/security/activity?cursor=&limit=: the signed-in user's Recent activity.
import { handleErrors } from "@/lib/http/errors";
import { listActivity, parseActivityQuery } from "@/lib/security/activity";
import { requireSession } from "@/lib/sessions/request";

export const dynamic = "force-dynamic";

export const GET = handleErrors(async (request: Request) => {
  const current = await requireSession(request);
  const query = parseActivityQuery(new URL(request.url).searchParams);
  const page = await listActivity(current.userId, current.sessionId, query);
  return Response.json(page, { headers: { "Cache-Control": "no-store" } });
});
