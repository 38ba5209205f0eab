// What Next does between the proxy and a route handler: a NextResponse.next({ request:
// { headers } }) answer carries the request headers to forward (x-middleware-override-
// headers + x-middleware-request-*); Next replaces the request's headers with exactly
// those (router-utils/resolve-routes.js). Tests apply the same rule.
export function forwardedRequest(original: Request, gated: Response): Request {
  const override = gated.headers.get("x-middleware-override-headers");
  if (override === null) return original;
  const headers = new Headers();
  for (const name of override.split(",").map((n) => n.trim()).filter(Boolean)) {
    const value = gated.headers.get(`x-middleware-request-${name}`);
    if (value !== null) headers.set(name, value);
  }
  return new Request(original, { headers });
}
