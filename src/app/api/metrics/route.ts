// GET /api/metrics: Prometheus text exposition, for a scraper holding METRICS_TOKEN.
// Not public: without METRICS_TOKEN configured it does not exist (404); a wrong or
// missing bearer token is a 401. The proxy lets this exact path through because the
// handler authenticates the scraper itself (a scraper has no session).
import { env } from "@/lib/env";
import { backlogLength, breakerState } from "@/lib/health/readiness";
import { bearerTokenMatches } from "@/lib/http/bearer";
import { API_ERROR } from "@/lib/http/error-codes";
import { jsonError } from "@/lib/http/errors";
import { METRICS_CONTENT_TYPE, renderMetrics } from "@/lib/metrics";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  const token = env().METRICS_TOKEN;
  if (!token) return jsonError(404, API_ERROR.notFound, "Not found.");
  if (!bearerTokenMatches(request.headers.get("authorization"), token)) {
    return jsonError(401, API_ERROR.unauthenticated, "A valid bearer token is required.", { "WWW-Authenticate": 'Bearer realm="metrics"' });
  }
  const breaker = breakerState();
  const body = renderMetrics({ breakerOpen: breaker === "none" ? null : breaker !== "closed", backlog: await backlogLength() });
  return new Response(body, { headers: { "Content-Type": METRICS_CONTENT_TYPE, "Cache-Control": "no-store" } });
}
