// Session cookies (ASVS 3.3.x, 7.2.4): flags, the __Secure- prefix on https, and a fresh
// token at every sign-in (no fixation).
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
  });

  describe("on https (production)", () => {
    const saved = process.env.APP_URL;
    afterAll(() => {
      process.env.APP_URL = saved;
      resetEnvForTests();
      resetAuthForTests();
    });

    it("is Secure with the __Secure- prefix, and the proxy reads it (under that name only)", async () => {
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
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith("__Secure-rv.session_token="))!;
      expect(cookie).toBeDefined();
      expect(cookie).toMatch(/; Secure/i);
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Lax/i);

      // The proxy gate reads that cookie on a protected path and lets the request through...
      const value = cookie.slice(cookie.indexOf("=") + 1, cookie.indexOf(";"));
      const through = (cookieHeader: string) =>
        gate(new NextRequest("https://revocable.example/settings/security", { headers: { cookie: cookieHeader, "user-agent": "cookie-test" } }));
      const passed = await through(`__Secure-rv.session_token=${value}`);
      expect(passed.status).toBe(200);
      expect(passed.headers.get("x-middleware-next")).toBe("1");
      // ...but on https not the same value without the prefix (it could be planted over http).
      const unprefixed = await through(`rv.session_token=${value}`);
      expect(unprefixed.status).toBe(303);
      expect(new URL(unprefixed.headers.get("location")!).pathname).toBe("/sign-in");
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
