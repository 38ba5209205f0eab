// POST /api/admin/users/:id/password-reset: the password stops working, sessions end, a reset link is emailed.
import { requirePasswordReset } from "@/lib/admin/actions";
import { requireAdmin } from "@/lib/admin/guard";
import { handleErrors } from "@/lib/http/errors";
import { assertSameOrigin } from "@/lib/http/same-origin";

export const POST = handleErrors(async (request: Request, { params }: { params: Promise<{ id: string }> }) => {
  assertSameOrigin(request);
  const actor = await requireAdmin(request, { user: ["set-password"] });
  const result = await requirePasswordReset(actor, (await params).id);
  return Response.json(result, { headers: { "Cache-Control": "no-store" } });
});
