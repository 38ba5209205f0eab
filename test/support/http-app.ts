// The app's request path on a real loopback HTTP server for load tests: the client address
// stamped from the socket as server.ts does (TRUST_PROXY from the environment), the proxy gate
// first, then the same route handlers Next would run, with the request headers the gate
// forwards (its verdict among them). (Pages other than the API answer
// a plain 200 once the gate lets them through.)
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { NextRequest } from "next/server";
import { GET as authGet, POST as authPost } from "@/app/api/auth/[...all]/route";
import { GET as eventsRoute } from "@/app/api/sessions/events/route";
import { POST as revokeRoute } from "@/app/api/sessions/revoke/route";
import { GET as listRoute } from "@/app/api/sessions/route";
import { stampClientAddress } from "@/lib/client-address";
import { gate } from "@/lib/proxy-gate";
import { forwardedRequest } from "./next-forward";

async function dispatch(request: Request): Promise<Response> {
  const { pathname } = new URL(request.url);
  if (pathname.startsWith("/api/auth/")) return request.method === "GET" ? authGet(request) : authPost(request);
  const gated = await gate(new NextRequest(request.url, { method: request.method, headers: request.headers }));
  if (gated.headers.get("x-middleware-next") !== "1") return gated;
  const forwarded = forwardedRequest(request, gated);
  if (pathname === "/api/sessions") return listRoute(forwarded);
  if (pathname === "/api/sessions/revoke") return revokeRoute(forwarded);
  if (pathname === "/api/sessions/events") return eventsRoute(forwarded);
  return new Response("ok", { status: 200 });
}

export async function startHttpApp(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    try {
      stampClientAddress(req);
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = chunks.length ? Buffer.concat(chunks) : undefined;
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      // As Next does: the request's signal aborts when the client goes away before the answer ends.
      const gone = new AbortController();
      res.on("close", () => {
        if (!res.writableFinished) gone.abort();
      });
      const response = await dispatch(
        new Request(`http://localhost:3000${req.url}`, {
          method: req.method,
          headers,
          body: body && req.method !== "GET" ? body : undefined,
          signal: gone.signal,
        }),
      );
      const out: Record<string, string | string[]> = {};
      response.headers.forEach((v, k) => (out[k] = v));
      const cookies = response.headers.getSetCookie();
      if (cookies.length) out["set-cookie"] = cookies;
      res.writeHead(response.status, out);
      // Streamed, so Server-Sent Events arrive as they are written; closing the
      // connection cancels the response body (as Next does).
      if (response.body) {
        const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
        // pipe() alone would leave the body open when the client goes: destroying it cancels the stream.
        res.on("close", () => body.destroy());
        body.pipe(res);
      } else res.end();
    } catch (err) {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(String((err as Error).stack));
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}
