// GET /api/ready: readiness. 200 while Postgres answers (status "ok" or "degraded"),
// 503 when it does not. The public answer is that and nothing more ({"status":"ready"} or
// {"status":"unavailable"}): the breaker, the backlog and Redis's state would tell an
// attacker when the app is weakest. The full report goes to a caller holding the metrics
// token (the same bearer token as /api/metrics). What each field means: docs/operating.md.
import { env } from "@/lib/env";
import { publicReadiness, readiness } from "@/lib/health/readiness";
import { bearerTokenMatches } from "@/lib/http/bearer";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  const report = await readiness();
  const unavailable = report.status === "unavailable";
  const token = env().METRICS_TOKEN;
  const operator = !!token && bearerTokenMatches(request.headers.get("authorization"), token);
  return Response.json(operator ? report : publicReadiness(report), {
    status: unavailable ? 503 : 200,
    headers: { "Cache-Control": "no-store", ...(unavailable ? { "Retry-After": "5" } : {}) },
  });
}
