// Next.js 16 proxy (Node.js runtime): every matched request passes the session gate, and
// every response it lets out carries the security headers (CSP nonce, HSTS, permissions).
import type { NextRequest } from "next/server";
import { gate } from "@/lib/proxy-gate";
import { securityHeadersFor } from "@/lib/security-headers";

export async function proxy(request: NextRequest) {
  const security = securityHeadersFor(request);
  return security.apply(await gate(request, security.requestHeaders));
}

export const config = {
  // Everything except build assets and static files; public pages are let through in gate().
  matcher: ["/((?!_next/static|_next/image|favicon\\.ico|.*\\.(?:svg|png|jpg|jpeg|gif|webp|ico|css|js|map|txt)$).*)"],
};
