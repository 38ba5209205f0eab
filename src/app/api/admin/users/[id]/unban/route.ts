// POST /api/admin/users/:id/unban: sign-in works again (ended sessions stay ended).
import { unbanUser } from "@/lib/admin/actions";
import { requireAdmin } from "@/lib/admin/guard";
import { handleErrors } from "@/lib/http/errors";
import { assertSameOrigin } from "@/lib/http/same-origin";

export const POST = handleErrors(async (request: Request, { params }: { params: Promise<{ id: string }> }) => {
  assertSameOrigin(request);
  const actor = await requireAdmin(request, { user: ["ban"] });
  await unbanUser(actor, (await params).id);
  return Response.json({ unbanned: true }, { headers: { "Cache-Control": "no-store" } });
});
