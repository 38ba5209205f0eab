// GET /api/ready: readiness. 200 while Postgres answers (status "ok" or "degraded"),
// 503 when it does not. What each field means: docs/operating.md.
import { readiness } from "@/lib/health/readiness";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const report = await readiness();
  const unavailable = report.status === "unavailable";
  return Response.json(report, {
    status: unavailable ? 503 : 200,
    headers: { "Cache-Control": "no-store", ...(unavailable ? { "Retry-After": "5" } : {}) },
  });
}
