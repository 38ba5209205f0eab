// Every answer of better-auth's route carries Cache-Control: no-store: they are about one
// person's account (session, accounts, cookies, one-time links), whatever the status.
import { describe, expect, it } from "vitest";
import { GET, POST } from "@/app/api/auth/[...all]/route";
import { Browser, PASSWORD, signUpVerified } from "../support/browser";

describe("/api/auth/* answers are never cached", () => {
  it("signed in and signed out, JSON, redirects and errors: all no-store", async () => {
    const b = new Browser();
    const { email } = await signUpVerified(b);
    const answers: [string, Response][] = [
      ["sign-in JSON", await b.route(POST, "/api/auth/sign-in/email", { body: { email, password: PASSWORD } })],
      ["get-session", await b.route(GET, "/api/auth/get-session")],
      ["list-accounts", await b.route(GET, "/api/auth/list-accounts")],
      ["get-session, no session (401)", await new Browser().route(GET, "/api/auth/get-session")],
      ["list-accounts, no session (401)", await new Browser().route(GET, "/api/auth/list-accounts")],
      ["wrong password (401)", await new Browser().route(POST, "/api/auth/sign-in/email", { body: { email, password: "not the password at all" } })],
      ["disabled endpoint (404)", await b.route(GET, "/api/auth/list-sessions")],
      ["verification link redirect (302)", await new Browser().route(GET, "/api/auth/verify-email?token=x&callbackURL=%2Fverify-email")],
      ["hostile callbackURL (400)", await new Browser().route(GET, "/api/auth/verify-email?token=x&callbackURL=%2F.%2F%2Fevil.example")],
      ["sign-out", await b.route(POST, "/api/auth/sign-out", { body: {} })],
    ];
    expect(answers.map(([, res]) => res.status)).toEqual([200, 200, 200, 401, 401, 401, 404, 302, 400, 200]);
    for (const [what, res] of answers) expect(res.headers.get("cache-control"), what).toBe("no-store");
  });
});
