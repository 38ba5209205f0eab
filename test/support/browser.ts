// A "browser" for tests: a cookie jar and a user agent, driving the real better-auth
// handler, the real proxy gate and the real route handlers with HTTP-shaped Requests.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { NextRequest } from "next/server";
import { POST as confirmVerificationRoute } from "@/app/api/verify-email/route";
import { getAuth } from "@/lib/auth";
import { signAddress, SIGNED_HEADER } from "@/lib/client-address";
import { flushBackground } from "@/lib/background";
import { gate } from "@/lib/proxy-gate";
import { safeNextPath } from "@/lib/safe-next";
import { forwardedRequest } from "./next-forward";

export const ORIGIN = "http://localhost:3000";

export const UA = {
  macChrome:
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  iphoneSafari:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
  windowsFirefox: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
  androidChrome:
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
};

let ipCounter = 10;

/** Headers for a request from `ip`, as server.ts forwards it (tests calling handlers directly). */
export function fromAddress(ip: string): Record<string, string> {
  return { [SIGNED_HEADER]: signAddress(ip) };
}

export class Browser {
  readonly cookies = new Map<string, string>();
  readonly ip: string;

  /** `ip`: the address the browser's requests come from (default: a documentation address, no location). */
  constructor(readonly userAgent: string = UA.macChrome, ip?: string) {
    this.ip = ip ?? `203.0.113.${ipCounter++ % 250}`;
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  absorb(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /max-age=0/i.test(a.trim())) || value === "";
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  headers(extra: Record<string, string> = {}): Headers {
    // The client address as server.ts hands it to Next (signed, from the TCP peer).
    const h = new Headers({ "user-agent": this.userAgent, [SIGNED_HEADER]: signAddress(this.ip), origin: ORIGIN, ...extra });
    const cookie = this.cookieHeader();
    if (cookie) h.set("cookie", cookie);
    return h;
  }

  /** A request to better-auth's handler under /api/auth. */
  async auth(pathname: string, body?: unknown, init: { method?: string; headers?: Record<string, string> } = {}) {
    const method = init.method ?? (body === undefined ? "GET" : "POST");
    const headers = this.headers(init.headers);
    if (body !== undefined) headers.set("content-type", "application/json");
    const res = await getAuth().handler(
      new Request(`${ORIGIN}/api/auth${pathname}`, {
        method,
        headers,
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      }),
    );
    this.absorb(res);
    return res;
  }

  /** A request through the proxy gate, as Next would run it before a route. */
  async throughProxy(pathname: string, init: { method?: string } = {}) {
    const res = await gate(new NextRequest(`${ORIGIN}${pathname}`, { method: init.method ?? "GET", headers: this.headers() }));
    this.absorb(res);
    return res;
  }

  /** A request as Next runs it: the proxy gate, then (if it lets it through) the route handler with the headers the gate forwards. */
  async api(handler: (req: Request) => Promise<Response>, pathname: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
    const headers = this.headers(init.headers);
    let body: string | undefined;
    if (init.body !== undefined) {
      body = typeof init.body === "string" ? init.body : JSON.stringify(init.body);
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
    }
    const request = new Request(`${ORIGIN}${pathname}`, { method: init.method ?? (body !== undefined ? "POST" : "GET"), headers, body });
    const gated = await gate(new NextRequest(request.url, { method: request.method, headers: request.headers }));
    const res = gated.headers.get("x-middleware-next") === "1" ? await handler(forwardedRequest(request, gated)) : gated;
    this.absorb(res);
    return res;
  }

  /** A request straight to one of our route handlers. */
  async route(handler: (req: Request) => Promise<Response>, pathname: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
    const headers = this.headers(init.headers);
    let body: string | undefined;
    if (init.body !== undefined) {
      body = typeof init.body === "string" ? init.body : JSON.stringify(init.body);
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
    }
    const res = await handler(new Request(`${ORIGIN}${pathname}`, { method: init.method ?? (body !== undefined ? "POST" : "GET"), headers, body }));
    this.absorb(res);
    return res;
  }

  signedIn(): boolean {
    return [...this.cookies.keys()].some((k) => k.endsWith("rv.session_token"));
  }
}

export interface OutboxMessage {
  file: string;
  to: string;
  subject: string;
  template: string;
  link: string;
  sentAt: string;
}

export async function outbox(): Promise<OutboxMessage[]> {
  const dir = process.env.OUTBOX_DIR!;
  const files = (await readdir(dir).catch(() => [])).filter((f) => f.endsWith(".json")).sort();
  return Promise.all(
    files.map(async (f) => ({ file: f, ...(JSON.parse(await readFile(path.join(dir, f), "utf8")) as Omit<OutboxMessage, "file">) })),
  );
}

/** Waits for the newest message of a template to an address (sends are asynchronous). */
export async function waitForEmail(to: string, template: string, after = 0, timeoutMs = 5_000): Promise<OutboxMessage> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await outbox()).filter((m) => m.to === to && m.template === template && Date.parse(m.sentAt) >= after);
    if (found.length) return found[found.length - 1]!;
    if (Date.now() > deadline) throw new Error(`no ${template} email to ${to}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

let userCounter = 0;
export function uniqueEmail(tag = "user"): string {
  return `${tag}-${Date.now().toString(36)}-${userCounter++}@example.test`;
}

export const PASSWORD = "correct horse battery";

/** What following a verification link did: the link's answer, the confirmation's, and where the browser ends up. */
export interface FollowedLink {
  link: Response;
  /** The confirm button's POST /api/verify-email, when the link led to the confirmation page. */
  confirm: Response | null;
  /** Where the browser is sent last (an ?error=CODE page on failure). */
  landing: URL;
}

/**
 * A person following an emailed verification link: its GET (which only leads to the
 * confirmation page), then the page's confirm button (POST /api/verify-email, through the
 * proxy gate), then on to where the link was going.
 */
export async function followVerificationLink(browser: Browser, link: string): Promise<FollowedLink> {
  const url = new URL(link);
  const res = await browser.auth(`${url.pathname.replace(/^\/api\/auth/, "")}${url.search}`);
  const location = res.headers.get("location");
  if (res.status !== 302 || !location) throw new Error(`verification link answered ${res.status} ${await res.text()}`);
  const page = new URL(location, ORIGIN);
  const token = page.pathname === "/verify-email" ? page.searchParams.get("token") : null;
  if (!token) return { link: res, confirm: null, landing: page };
  const confirm = await browser.api(confirmVerificationRoute, "/api/verify-email", { body: { token } });
  if (confirm.status !== 200) {
    const code = ((await confirm.clone().json()) as { error?: { code?: string } }).error?.code ?? String(confirm.status);
    return { link: res, confirm, landing: new URL(`/verify-email?error=${code}`, ORIGIN) };
  }
  return { link: res, confirm, landing: new URL(safeNextPath(page.searchParams.get("callbackURL"), "/verify-email"), ORIGIN) };
}

/** Signs up, follows the emailed verification link and confirms it (which signs this browser in). */
export async function signUpVerified(browser: Browser, email = uniqueEmail(), password = PASSWORD) {
  const started = Date.now();
  const res = await browser.auth("/sign-up/email", { email, password, name: "Test User" });
  if (res.status !== 200) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
  const mail = await waitForEmail(email, "verify-email", started);
  const { confirm } = await followVerificationLink(browser, mail.link);
  if (confirm?.status !== 200) throw new Error(`verification failed: ${confirm?.status}`);
  // The sign-in's history rows are written after its answer: let them land, so a test's
  // query counts and timings start from a quiet database.
  await flushBackground();
  return { email, password };
}

export async function signIn(browser: Browser, email: string, password = PASSWORD) {
  const res = await browser.auth("/sign-in/email", { email, password });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  await flushBackground();
  return res;
}
