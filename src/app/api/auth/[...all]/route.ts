// better-auth's handler: sign-up, sign-in, sign-out, verification, password flows.
import { dbReady } from "@/db";
import { getAuth } from "@/lib/auth";

async function handle(request: Request): Promise<Response> {
  await dbReady();
  const response = await getAuth().handler(request);
  return withStandardRetryAfter(response);
}

/** better-auth's limiter says X-Retry-After; clients and proxies read Retry-After. */
function withStandardRetryAfter(response: Response): Response {
  const retryAfter = response.headers.get("x-retry-after");
  if (response.status !== 429 || !retryAfter || response.headers.has("retry-after")) return response;
  const headers = new Headers(response.headers);
  headers.set("Retry-After", retryAfter);
  return new Response(response.body, { status: 429, statusText: response.statusText, headers });
}

export { handle as GET, handle as POST };
