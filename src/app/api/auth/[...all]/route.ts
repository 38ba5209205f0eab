// better-auth's handler: sign-up, sign-in, sign-out, verification, password flows.
import { dbReady } from "@/db";
import { getAuth } from "@/lib/auth";
import { isOutage, unavailableResponse } from "@/lib/http/unavailable";

async function handle(request: Request): Promise<Response> {
  let response: Response;
  try {
    await dbReady();
    response = await getAuth().handler(request);
  } catch (err) {
    if (await isOutage(err)) return unavailableResponse();
    throw err;
  }
  // better-auth answers a database outage with a 500 (or our guards' 503): one shape,
  // no cookies changed, Retry-After.
  if (response.status === 503 || (response.status >= 500 && (await isOutage(null)))) return unavailableResponse();
  return withAuthHeaders(response);
}

/**
 * Every answer here is about one person's account (sessions, accounts, tokens in cookies,
 * redirects carrying one-time links): no shared or browser cache may keep it. better-auth
 * sets no Cache-Control of its own. And its limiter says X-Retry-After; clients and
 * proxies read Retry-After.
 */
function withAuthHeaders(response: Response): Response {
  // A copy: a redirect's headers (Response.redirect) are immutable.
  const headers = new Headers(response.headers);
  headers.set("Cache-Control", "no-store");
  const retryAfter = headers.get("x-retry-after");
  if (response.status === 429 && retryAfter && !headers.has("retry-after")) headers.set("Retry-After", retryAfter);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

export { handle as GET, handle as POST };
