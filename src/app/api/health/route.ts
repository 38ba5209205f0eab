// GET /api/health: liveness. Answers as long as the process serves requests; it checks
// no dependency (that is /api/ready), so a restart is never triggered by a Redis blip.
export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  return Response.json({ status: "ok" }, { headers: { "Cache-Control": "no-store" } });
}
