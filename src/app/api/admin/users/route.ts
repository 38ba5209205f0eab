// GET /api/admin/users?q=&page=: users by email or name (admins only).
import { requireAdmin } from "@/lib/admin/guard";
import { searchUsers } from "@/lib/admin/users";
import { handleErrors } from "@/lib/http/errors";

export const dynamic = "force-dynamic";

export const GET = handleErrors(async (request: Request) => {
  await requireAdmin(request, { user: ["list"] });
  const result = await searchUsers(new URL(request.url).searchParams);
  return Response.json(result, { headers: { "Cache-Control": "no-store" } });
});
