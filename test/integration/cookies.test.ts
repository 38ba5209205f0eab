// Session cookies (ASVS 3.3.x, 7.2.4): flags, the __Host- prefix on https (no sibling
// subdomain can plant one), plain names on http, and a fresh token at every sign-in (no fixation).
import { NextRequest } from "next/server";
import { afterAll, describe, expect, it } from "vitest";
import { POST as authRoute } from "@/app/api/auth/[...all]/route";
import { resetAuthForTests } from "@/lib/auth";
import { resetEnvForTests } from "@/lib/env";
import { gate } from "@/lib/proxy-gate";
import { Browser, PASSWORD, signIn, signUpVerified } from "../support/browser";
import { tokenOf } from "../support/sessions";

describe("session cookie", () => {
  it("is HttpOnly and SameSite=Lax on http (development)", async () => {
    const b = new Browser();
    const { email } = await signUpVerified(b);
    const res = await signIn(new Browser(), email);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("rv.session_token="))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/; Secure/i); // plain http: a Secure cookie would not come back
  });

  describe("on https (production)", () => {
    const saved = process.env.APP_URL;
    afterAll(() => {
      process.env.APP_URL = saved;
      resetEnvForTests();
      resetAuthForTests();
    });

    it("every cookie is __Host- (Secure, Path=/, no Domain), and the proxy reads the session under that name only", async () => {
      const b = new Browser();
      const { email } = await signUpVerified(b);
      process.env.APP_URL = "https://revocable.example";
      resetEnvForTests();
      resetAuthForTests();
      const res = await authRoute(
        new Request("https://revocable.example/api/auth/sign-in/email", {
          method: "POST",
          headers: { "content-type": "application/json", origin: "https://revocable.example", "user-agent": "cookie-test" },
          body: JSON.stringify({ email, password: PASSWORD }),
        }),
      );
      expect(res.status).toBe(200);
      const set = res.headers.getSetCookie();
      // The session and the device cookie (a browser without one gets one at sign-in).
      expect(set.map((c) => c.slice(0, c.indexOf("=")))).toEqual(expect.arrayContaining(["__Host-rv.session_token", "__Host-rv.device_id"]));
      for (const cookie of set) {
        expect(cookie, cookie).toMatch(/^__Host-rv\./);
        expect(cookie, cookie).toMatch(/; Secure/i);
        expect(cookie, cookie).toMatch(/; Path=\/(;|$)/);
        expect(cookie, cookie).not.toMatch(/; Domain=/i);
        expect(cookie, cookie).toMatch(/HttpOnly/i);
        expect(cookie, cookie).toMatch(/SameSite=Lax/i);
      }
      const cookie = set.find((c) => c.startsWith("__Host-rv.session_token="))!;

      // The proxy gate reads that cookie on a protected path and lets the request through...
      const value = cookie.slice(cookie.indexOf("=") + 1, cookie.indexOf(";"));
      const through = (cookieHeader: string) =>
        gate(new NextRequest("https://revocable.example/settings/security", { headers: { cookie: cookieHeader, "user-agent": "cookie-test" } }));
      const passed = await through(`__Host-rv.session_token=${value}`);
      expect(passed.status).toBe(200);
      expect(passed.headers.get("x-middleware-next")).toBe("1");
      // ...but on https not the same value under a name a sibling subdomain or plain http can
      // set: unprefixed, or __Secure- (which allows Domain=<parent>).
      for (const planted of [`rv.session_token=${value}`, `__Secure-rv.session_token=${value}`]) {
        const refused = await through(planted);
        expect(refused.status, planted).toBe(303);
        expect(new URL(refused.headers.get("location")!).pathname).toBe("/sign-in");
      }
      // better-auth's own endpoints read only the __Host- name too.
      const session = (cookieHeader: string) =>
        authRoute(new Request("https://revocable.example/api/auth/get-session", { headers: { cookie: cookieHeader, "user-agent": "cookie-test" } }));
      expect((await session(`__Host-rv.session_token=${value}`)).status).toBe(200);
      expect((await session(`__Secure-rv.session_token=${value}`)).status).toBe(401);
    });
  });
});

describe("session fixation", () => {
  it("mints a new token at every sign-in and ignores a planted cookie", async () => {
    const b = new Browser();
    const { email } = await signUpVerified(b);
    const first = tokenOf(b);
    await signIn(b, email);
    const second = tokenOf(b);
    expect(second).not.toBe(first);

    const victim = new Browser();
    victim.cookies.set("rv.session_token", b.cookies.get("rv.session_token")!); // planted by an attacker
    await signIn(victim, email);
    expect(tokenOf(victim)).not.toBe(second);
  });
});
