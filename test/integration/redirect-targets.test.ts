// Open redirect through better-auth's redirect targets (callbackURL, redirectTo,
// errorCallbackURL, newUserCallbackURL): every one goes through the app's own parser, on
// every endpoint, in the body and in the query. "/.//evil.example" passed better-auth's
// trustedOrigins check and came back as "Location: //evil.example".
import { describe, expect, it } from "vitest";
import { flushBackground } from "@/lib/background";
import { flushMail } from "@/lib/mail";
import { Browser, ORIGIN, outbox, PASSWORD, uniqueEmail, waitForEmail } from "../support/browser";

const HOSTILE = ["/.//evil.example/phish", "/a/..//evil.example", "//evil.example", "/\\evil.example", "https://evil.example/x", "javascript:alert(1)"];

/** Where a browser on the app goes when given this Location, if anywhere. */
function landing(res: Response): URL | null {
  const location = res.headers.get("location");
  return location === null ? null : new URL(location, ORIGIN);
}

async function expectRefused(res: Response, code: string, what: string) {
  expect(res.status, what).toBe(400);
  expect(res.headers.get("location"), what).toBeNull();
  const body = (await res.json()) as { code?: string; message?: string };
  expect(body.code, what).toBe(code);
}

describe("redirect targets on better-auth's endpoints", () => {
  it("verify-email: a hostile callbackURL is refused with 400, never redirected to (the reported Location: //evil.example)", async () => {
    for (const target of HOSTILE) {
      const res = await new Browser().auth(`/verify-email?token=x&callbackURL=${encodeURIComponent(target)}`);
      const where = landing(res);
      if (where) expect(where.origin, target).toBe(ORIGIN);
      await expectRefused(res, "INVALID_CALLBACK_URL", target);
    }
  });

  it("sign-up: a hostile callbackURL is refused and no email carries it", async () => {
    const email = uniqueEmail("phish");
    const res = await new Browser().auth("/sign-up/email", { email, password: PASSWORD, name: "P", callbackURL: "/.//evil.example/phish" });
    await expectRefused(res, "INVALID_CALLBACK_URL", "sign-up");
    await flushBackground();
    await flushMail();
    expect((await outbox()).filter((m) => m.to === email)).toHaveLength(0);
  });

  it("every target field, in the body or the query, on every endpoint that takes one", async () => {
    const email = uniqueEmail("targets");
    const cases: [string, string, unknown, string][] = [
      ["/sign-in/email", "callbackURL", { email, password: PASSWORD }, "INVALID_CALLBACK_URL"],
      ["/send-verification-email", "callbackURL", { email }, "INVALID_CALLBACK_URL"],
      ["/request-password-reset", "redirectTo", { email }, "INVALID_REDIRECT_URL"],
      ["/sign-up/email", "errorCallbackURL", { email, password: PASSWORD, name: "T" }, "INVALID_ERROR_CALLBACK_URL"],
      ["/sign-up/email", "newUserCallbackURL", { email, password: PASSWORD, name: "T" }, "INVALID_NEW_USER_CALLBACK_URL"],
    ];
    for (const [path, field, body, code] of cases) {
      for (const target of HOSTILE) {
        await expectRefused(await new Browser().auth(path, { ...(body as object), [field]: target }), code, `${path} ${field}=${target}`);
      }
      // Not a string at all.
      await expectRefused(await new Browser().auth(path, { ...(body as object), [field]: ["/ok"] }), code, `${path} ${field}=[array]`);
    }
    for (const target of HOSTILE) {
      const res = await new Browser().auth(`/reset-password/some-token?callbackURL=${encodeURIComponent(target)}`);
      await expectRefused(res, "INVALID_CALLBACK_URL", `reset-password link ${target}`);
    }
  });

  it("a same-origin target is normalised before better-auth uses it: the emailed link carries the clean path", async () => {
    const email = uniqueEmail("normalised");
    const started = Date.now();
    const res = await new Browser().auth("/sign-up/email", { email, password: PASSWORD, name: "N", callbackURL: "/a/b/../../verify-email?next=%2Fsettings" });
    expect(res.status).toBe(200);
    const mail = await waitForEmail(email, "verify-email", started);
    expect(new URL(mail.link).searchParams.get("callbackURL")).toBe("/verify-email?next=%2Fsettings");

    // An absolute URL on the app's own origin becomes its path.
    const other = uniqueEmail("absolute");
    const again = Date.now();
    expect((await new Browser().auth("/sign-up/email", { email: other, password: PASSWORD, name: "N", callbackURL: `${ORIGIN}/verify-email` })).status).toBe(200);
    const second = await waitForEmail(other, "verify-email", again);
    expect(new URL(second.link).searchParams.get("callbackURL")).toBe("/verify-email");
  });
});
