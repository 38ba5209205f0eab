// GET /api/admin/audit?format=json|csv&before=<id>: the admin audit log, newest first; a
// download (Content-Disposition: attachment) of up to AUDIT_EXPORT_MAX entries. Exporting is audited too.
import { auditCsv, listAudit, recordAdminAction } from "@/lib/admin/audit";
import { requireAdmin } from "@/lib/admin/guard";
import { API_ERROR } from "@/lib/http/error-codes";
import { ApiError, handleErrors } from "@/lib/http/errors";

export const dynamic = "force-dynamic";

const AUDIT_EXPORT_MAX = 10_000;

export const GET = handleErrors(async (request: Request) => {
  const actor = await requireAdmin(request, { user: ["list"] });
  const params = new URL(request.url).searchParams;
  const format = params.get("format") ?? "json";
  if (format !== "json" && format !== "csv") throw new ApiError(400, API_ERROR.invalidBody, "format is json or csv.");
  const before = params.get("before");
  if (before !== null && !/^[1-9][0-9]{0,15}$/.test(before)) throw new ApiError(400, API_ERROR.invalidBody, "before is an entry id.");
  const entries = await listAudit({ before: before ? Number(before) : undefined, limit: AUDIT_EXPORT_MAX });
  await recordAdminAction(actor, "audit.export", null, { format, entries: entries.length });
  const stamp = new Date().toISOString().slice(0, 10);
  const headers = { "Cache-Control": "no-store", "Content-Disposition": `attachment; filename="admin-audit-${stamp}.${format}"` };
  if (format === "csv") return new Response(auditCsv(entries), { headers: { ...headers, "Content-Type": "text/csv; charset=utf-8" } });
  return Response.json({ entries }, { headers });
});
