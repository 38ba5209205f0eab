// A native app for tests: no cookie jar, no Origin, no Fetch Metadata; it signs in with
// its declared name and platform and then sends "Authorization: Bearer <token>" through
// the real proxy gate, route handlers and better-auth handler.
import { NextRequest } from "next/server";
import { getAuth } from "@/lib/auth";
import { signAddress, SIGNED_HEADER } from "@/lib/client-address";
import { gate } from "@/lib/proxy-gate";
import { ORIGIN } from "./browser";
import { forwardedRequest } from "./next-forward";

let ipCounter = 40;

export class NativeApp {
  token: string | null = null;
  readonly ip = `198.51.100.${ipCounter++ % 250}`;

  constructor(
    readonly name = "Revocable",
    readonly platform = "iOS",
  ) {}

  headers(extra: Record<string, string> = {}): Headers {
    const h = new Headers({ "user-agent": "Revocable/1.0 CFNetwork/1490 Darwin/23.2.0", [SIGNED_HEADER]: signAddress(this.ip), ...extra });
    if (this.token) h.set("authorization", `Bearer ${this.token}`);
    return h;
  }

  async signIn(email: string, password: string, extra: Record<string, string> = {}): Promise<Response> {
    const headers = this.headers({ "content-type": "application/json", "x-client-name": this.name, "x-client-platform": this.platform, ...extra });
    const res = await getAuth().handler(new Request(`${ORIGIN}/api/auth/sign-in/email`, { method: "POST", headers, body: JSON.stringify({ email, password }) }));
    if (res.status === 200) this.token = ((await res.clone().json()) as { token?: string }).token ?? null;
    return res;
  }

  /** The second step with two-factor on: the password step's challenge and a code (TOTP or backup). */
  async secondStep(kind: "totp" | "backup-code", code: string, challenge: string, extra: Record<string, string> = {}): Promise<Response> {
    const headers = this.headers({ "content-type": "application/json", "x-client-name": this.name, "x-client-platform": this.platform, "x-two-factor-challenge": challenge, ...extra });
    const res = await getAuth().handler(new Request(`${ORIGIN}/api/auth/two-factor/verify-${kind}`, { method: "POST", headers, body: JSON.stringify({ code }) }));
    if (res.status === 200) this.token = ((await res.clone().json()) as { token?: string }).token ?? null;
    return res;
  }

  /** better-auth's handler under /api/auth. */
  auth(pathname: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<Response> {
    const headers = this.headers(init.headers);
    if (init.body !== undefined) headers.set("content-type", "application/json");
    return getAuth().handler(
      new Request(`${ORIGIN}/api/auth${pathname}`, { method: init.method ?? (init.body === undefined ? "GET" : "POST"), headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) }),
    );
  }

  /** The proxy gate, then (when it lets the request through) the route handler. */
  async api(handler: ((req: Request) => Promise<Response>) | null, pathname: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<Response> {
    const headers = this.headers(init.headers);
    const body = init.body === undefined ? undefined : JSON.stringify(init.body);
    if (body) headers.set("content-type", "application/json");
    const request = new Request(`${ORIGIN}${pathname}`, { method: init.method ?? (body ? "POST" : "GET"), headers, body });
    const gated = await gate(new NextRequest(request.url, { method: request.method, headers: request.headers }));
    if (gated.headers.get("x-middleware-next") !== "1" || !handler) return gated;
    return handler(forwardedRequest(request, gated));
  }
}
