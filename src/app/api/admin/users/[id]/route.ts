// GET /api/admin/users/:id: one user's devices, activity, sign-in methods, ban and audit (admins only).
import { requireAdmin } from "@/lib/admin/guard";
import { userDetail } from "@/lib/admin/users";
import { handleErrors } from "@/lib/http/errors";

export const dynamic = "force-dynamic";

export const GET = handleErrors(async (request: Request, { params }: { params: Promise<{ id: string }> }) => {
  await requireAdmin(request, { user: ["get"], session: ["list"] });
  const detail = await userDetail((await params).id);
  return Response.json(detail, { headers: { "Cache-Control": "no-store" } });
});
