// The headers src/proxy.ts adds to every response: a CSP whose nonce reaches Next's
// renderer, a Permissions-Policy, and HSTS when the app is served over https.
import { NextRequest } from "next/server";
import { afterEach, describe, expect, it } from "vitest";
import { resetEnvForTests } from "@/lib/env";
import { contentSecurityPolicy } from "@/lib/security-headers";
import { proxy } from "@/proxy";
import { Browser, ORIGIN, signUpVerified } from "../support/browser";

const nonceOf = (csp: string | null) => /'nonce-([^']+)'/.exec(csp ?? "")?.[1];

async function viaProxy(path: string, b = new Browser()) {
  return proxy(new NextRequest(`${ORIGIN}${path}`, { headers: b.headers() }));
}

describe("security headers", () => {
  const saved = { APP_URL: process.env.APP_URL, NODE_ENV: process.env.NODE_ENV };
  afterEach(() => {
    Object.assign(process.env, saved);
    resetEnvForTests();
  });

  it("a public page: strict CSP with a fresh nonce per response, handed to Next's renderer", async () => {
    const first = await viaProxy("/sign-in");
    const second = await viaProxy("/sign-in");
    const csp = first.headers.get("content-security-policy");
    expect(csp).toMatch(/script-src 'nonce-[A-Za-z0-9+/]{22}==' 'strict-dynamic'; /);
    for (const d of ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "default-src 'self'"]) expect(csp).toContain(d);
    expect(csp).not.toMatch(/unsafe-(eval|inline)/);
    expect(nonceOf(second.headers.get("content-security-policy"))).not.toBe(nonceOf(csp));
    // Next reads the nonce from the request's CSP header, forwarded by the proxy.
    expect(first.headers.get("x-middleware-next")).toBe("1");
    expect(first.headers.get("x-middleware-request-content-security-policy")).toBe(csp);
    expect(first.headers.get("x-middleware-override-headers")).toContain("content-security-policy");
    expect(first.headers.get("permissions-policy")).toMatch(/camera=\(\), microphone=\(\), geolocation=\(\)/);
    expect(first.headers.get("strict-transport-security")).toBeNull(); // APP_URL is http here
  });

  it("a signed-in page keeps the gate's no-store and gets the same policy; a rejected one too", async () => {
    const b = new Browser();
    await signUpVerified(b);
    const page = await viaProxy("/settings/security", b);
    expect(page.headers.get("x-middleware-next")).toBe("1");
    expect(page.headers.get("cache-control")).toBe("private, no-store");
    expect(nonceOf(page.headers.get("content-security-policy"))).toBeTruthy();
    // Both forwarded request headers reach Next: the nonce and the gate's session verdict.
    const forwarded = page.headers.get("x-middleware-override-headers")?.split(",") ?? [];
    expect(forwarded).toEqual(expect.arrayContaining(["content-security-policy", "x-revocable-session"]));
    expect(page.headers.get("x-middleware-request-x-revocable-session")).toBeTruthy();

    const rejected = await viaProxy("/settings/security");
    expect(rejected.status).toBe(303);
    expect(rejected.headers.get("location")).toContain("/sign-in?next=");
    expect(rejected.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });

  it("adds Strict-Transport-Security and upgrade-insecure-requests only when APP_URL is https", async () => {
    process.env.APP_URL = "https://app.example.com";
    resetEnvForTests();
    const res = await viaProxy("/sign-in");
    expect(res.headers.get("strict-transport-security")).toBe("max-age=63072000; includeSubDomains");
    expect(res.headers.get("content-security-policy")).toContain("upgrade-insecure-requests");
  });

  it("allows eval (React's development tooling) only in development", () => {
    expect(contentSecurityPolicy("n", { development: true })).toContain("'unsafe-eval'");
    expect(contentSecurityPolicy("n", { development: false })).not.toContain("'unsafe-eval'");
  });
});
