// POST /api/admin/users/:id/sessions  {"sessionId": "..."} | {"all": true}: end the user's sessions now.
import { endSessionsBody, endUserSessions } from "@/lib/admin/actions";
import { requireAdmin } from "@/lib/admin/guard";
import { API_ERROR } from "@/lib/http/error-codes";
import { ApiError, handleErrors } from "@/lib/http/errors";
import { readJsonBody } from "@/lib/http/json-body";
import { assertSameOrigin } from "@/lib/http/same-origin";

export const POST = handleErrors(async (request: Request, { params }: { params: Promise<{ id: string }> }) => {
  assertSameOrigin(request);
  const actor = await requireAdmin(request, { session: ["revoke"] });
  const parsed = endSessionsBody.safeParse(await readJsonBody(request));
  if (!parsed.success) throw new ApiError(400, API_ERROR.invalidBody, 'Send {"sessionId": "<id>"} or {"all": true}.');
  const result = await endUserSessions(actor, (await params).id, parsed.data);
  return Response.json(result, { headers: { "Cache-Control": "no-store" } });
});
