// Response headers that confine what a page may do: a strict Content-Security-Policy with a
// fresh nonce per request, Strict-Transport-Security when the app is served over https,
// and a Permissions-Policy. Applied by src/proxy.ts to every response it handles (every
// page and route; build assets are not matched and need none of these).
//
// The nonce reaches Next through the REQUEST's Content-Security-Policy header: Next reads
// it while rendering and puts it on every <script> it emits. That only works for pages
// rendered per request, so the root layout opts every page into dynamic rendering (see
// docs/front-door.md, "Content-Security-Policy, and what nonces cost").
import type { NextRequest, NextResponse } from "next/server";
import { env } from "@/lib/env";

export function createNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
}

export function contentSecurityPolicy(nonce: string, { development = false, https = false } = {}): string {
  const directives: string[] = [
    "default-src 'self'",
    // Only scripts carrying this response's nonce, and what they load ('strict-dynamic':
    // Next's chunk loader). React needs eval in development only (call-stack rebuilding).
    `script-src 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    // The stylesheet is a file; development's error overlay injects inline styles.
    `style-src 'self'${development ? " 'unsafe-inline'" : ""}`,
    "img-src 'self' data: blob:",
    "font-src 'self'",
    // Development's hot reload talks over a websocket to the same host.
    `connect-src 'self'${development ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  if (https) directives.push("upgrade-insecure-requests");
  return directives.join("; ");
}

/** Powerful features no page of this app uses: denied to it and to anything it embeds. */
export const PERMISSIONS_POLICY = [
  "camera=()",
  "microphone=()",
  "geolocation=()",
  "payment=()",
  "usb=()",
  "serial=()",
  "hid=()",
  "midi=()",
  "display-capture=()",
  "browsing-topics=()",
].join(", ");

export const STRICT_TRANSPORT_SECURITY = "max-age=63072000; includeSubDomains";

/**
 * The security headers of one response. `requestHeaders` carries the nonce to Next's renderer
 * (the only way a proxy hands request headers on; src/proxy.ts passes them through the gate so
 * its verdict header travels with them); `apply` sets the response headers.
 */
export function securityHeadersFor(request: NextRequest) {
  const e = env();
  const https = e.APP_URL.startsWith("https:");
  const policy = contentSecurityPolicy(createNonce(), { development: e.NODE_ENV === "development", https });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("Content-Security-Policy", policy);
  return {
    requestHeaders,
    apply(response: NextResponse): NextResponse {
      response.headers.set("Content-Security-Policy", policy);
      response.headers.set("Permissions-Policy", PERMISSIONS_POLICY);
      if (https) response.headers.set("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY);
      return response;
    },
  };
}
