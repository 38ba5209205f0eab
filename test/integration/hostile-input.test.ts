// Hostile input on better-auth's endpoints gets a 4xx with a JSON error, never a 500:
// control characters (NUL, which Postgres text refuses) and over-long fields; names are
// trimmed and bounded.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { user } from "@/db/schema";
import { NAME_MAX_LENGTH } from "@/lib/auth/input-rules";
import { Browser, PASSWORD, signUpVerified, uniqueEmail } from "../support/browser";
import { userIdOf } from "../support/sessions";

async function expectRefused(res: Response, what: string) {
  expect(res.status, what).toBe(400);
  const body = await res.json();
  expect(body.code, what).toBe("INVALID_INPUT");
  expect(JSON.stringify(body), what).not.toMatch(/ at .*\.(ts|js|mjs):\d+/); // no stack trace
}

async function nameOf(email: string) {
  const [u] = await getDb().select({ name: user.name }).from(user).where(eq(user.id, await userIdOf(email)));
  return u!.name;
}

describe("NUL and other control characters", () => {
  it("update-user's name with NUL: 400, the name is unchanged", async () => {
    const b = new Browser();
    const { email } = await signUpVerified(b);
    await expectRefused(await b.auth("/update-user", { name: "evil\u0000name" }), "NUL");
    await expectRefused(await b.auth("/update-user", { name: "line\nbreak" }), "newline");
    await expectRefused(await b.auth("/update-user", { name: "bell\u0007" }), "BEL");
    expect(await nameOf(email)).toBe("Test User");
  });

  it("reset-password's token with NUL: 400", async () => {
    const res = await new Browser().auth("/reset-password", { token: "abc\u0000def", newPassword: "a new password 123" });
    await expectRefused(res, "reset token");
  });

  it("reset-password link with NUL in the token lands on the invalid-link page; verify-email's gets 400", async () => {
    const link = await new Browser().auth("/reset-password/abc%00def?callbackURL=%2Freset-password");
    expect(link.status).toBe(302);
    expect(link.headers.get("location")).toMatch(/error=INVALID_TOKEN/);
    await expectRefused(await new Browser().auth("/verify-email?token=abc%00def"), "verify token");
  });

  it("revoke-session (disabled) with NUL in the token: 404, nothing reaches a query", async () => {
    const b = new Browser();
    await signUpVerified(b);
    expect((await b.auth("/revoke-session", { token: "x\u0000y" })).status).toBe(404);
  });

  it("sign-up with NUL in the name or the email: 400, no user created", async () => {
    const email = uniqueEmail("nul");
    await expectRefused(await new Browser().auth("/sign-up/email", { email, password: PASSWORD, name: "a\u0000b" }), "name");
    await expectRefused(await new Browser().auth("/sign-up/email", { email: `a\u0000${email}`, password: PASSWORD, name: "Ok" }), "email");
    expect(await getDb().select().from(user).where(eq(user.email, email))).toEqual([]);
  });

  it("sign-in with NUL in the email: 400", async () => {
    await expectRefused(await new Browser().auth("/sign-in/email", { email: "a\u0000b@example.test", password: PASSWORD }), "email");
  });

  it("passwords may hold any character but NUL", async () => {
    await expectRefused(await new Browser().auth("/sign-in/email", { email: uniqueEmail(), password: "pass\u0000word1234" }), "NUL in password");
    const tabbed = await new Browser().auth("/sign-in/email", { email: uniqueEmail(), password: "pass\tword1234" });
    expect(tabbed.status).toBe(401); // checked like any other password (no such account)
  });
});

describe("names are bounded: 1 to 100 characters after trimming", () => {
  it("sign-up refuses a 200,000-character name and an empty or blank one", async () => {
    for (const name of ["x".repeat(200_000), "", "    ", "x".repeat(NAME_MAX_LENGTH + 1)]) {
      const email = uniqueEmail("name");
      await expectRefused(await new Browser().auth("/sign-up/email", { email, password: PASSWORD, name }), `name of ${name.length}`);
      expect(await getDb().select().from(user).where(eq(user.email, email))).toEqual([]);
    }
  });

  it("update-user refuses an over-long or blank name and stores a valid one trimmed", async () => {
    const b = new Browser();
    const { email } = await signUpVerified(b);
    await expectRefused(await b.auth("/update-user", { name: "y".repeat(200_000) }), "long");
    await expectRefused(await b.auth("/update-user", { name: "  " }), "blank");
    expect(await nameOf(email)).toBe("Test User");
    const ok = await b.auth("/update-user", { name: `  ${"z".repeat(NAME_MAX_LENGTH)}  ` });
    expect(ok.status).toBe(200);
    expect(await nameOf(email)).toBe("z".repeat(NAME_MAX_LENGTH));
  });

  it("an over-long email is refused before any lookup", async () => {
    await expectRefused(
      await new Browser().auth("/sign-in/email", { email: `${"a".repeat(300)}@example.test`, password: PASSWORD }),
      "long email",
    );
  });
});
