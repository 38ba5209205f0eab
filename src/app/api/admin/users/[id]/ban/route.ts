// POST /api/admin/users/:id/ban  {"reason"?: "...", "expiresIn"?: seconds}: ban, ending every session now.
import { banBody, banUser } from "@/lib/admin/actions";
import { requireAdmin } from "@/lib/admin/guard";
import { API_ERROR } from "@/lib/http/error-codes";
import { ApiError, handleErrors } from "@/lib/http/errors";
import { readJsonBody } from "@/lib/http/json-body";
import { assertSameOrigin } from "@/lib/http/same-origin";

export const POST = handleErrors(async (request: Request, { params }: { params: Promise<{ id: string }> }) => {
  assertSameOrigin(request);
  const actor = await requireAdmin(request, { user: ["ban"] });
  const parsed = banBody.safeParse(await readJsonBody(request));
  if (!parsed.success) throw new ApiError(400, API_ERROR.invalidBody, 'Send {"reason"?: "<text>", "expiresIn"?: <seconds>}.');
  const result = await banUser(actor, (await params).id, parsed.data);
  return Response.json(result, { headers: { "Cache-Control": "no-store" } });
});
