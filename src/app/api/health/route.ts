// Liveness: the process is up and serving requests. Touches neither Postgres nor Redis (a
// store outage must not get a live instance restarted); public in the gate as an exact path.
import { NextResponse } from "next/server";

export const dynamic = "force-dynamic";

export function GET() {
  return NextResponse.json({ status: "ok" }, { headers: { "Cache-Control": "no-store" } });
}
