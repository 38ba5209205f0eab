// Session cookies (ASVS 3.3.x, 7.2.4): flags, the __Secure- prefix on https, and a fresh
// token at every sign-in (no fixation).
import { afterAll, describe, expect, it } from "vitest";
import { POST as authRoute } from "@/app/api/auth/[...all]/route";
import { resetAuthForTests } from "@/lib/auth";
import { resetEnvForTests } from "@/lib/env";
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

    it("is Secure with the __Secure- prefix, and the proxy reads it", async () => {
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
