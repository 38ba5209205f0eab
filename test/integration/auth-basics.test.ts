// Sign-up, sign-in, sign-out and bad input through better-auth's real handler,
// against this run's Postgres: right status, clear error, nothing half-written.
import { flushBackground } from "@/lib/background";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { account, session, user } from "@/db/schema";
import { Browser, PASSWORD, signIn, signUpVerified, uniqueEmail } from "../support/browser";

async function rowsFor(email: string) {
  const db = getDb();
  const [u] = await db.select().from(user).where(eq(user.email, email));
  if (!u) return { user: undefined, accounts: 0, sessions: 0 };
  const accounts = await db.select().from(account).where(eq(account.userId, u.id));
  const sessions = await db.select().from(session).where(eq(session.userId, u.id));
  return { user: u, accounts: accounts.length, sessions: sessions.length };
}

describe("email + password", () => {
  it("signs up, verifies by the emailed link, signs in and out", async () => {
    const b = new Browser();
    const { email } = await signUpVerified(b);
    expect(b.signedIn()).toBe(true);
    const rows = await rowsFor(email);
    expect(rows.user?.emailVerified).toBe(true);
    expect(rows.accounts).toBe(1);
    expect(rows.sessions).toBe(1);

    const out = await b.auth("/sign-out", {});
    expect(out.status).toBe(200);
    expect(b.signedIn()).toBe(false);
    expect((await rowsFor(email)).sessions).toBe(0);

    const again = new Browser();
    await signIn(again, email);
    expect(again.signedIn()).toBe(true);
    expect((await rowsFor(email)).sessions).toBe(1);
  });

  it("refuses sign-in before the email is verified, with a clear message", async () => {
    const b = new Browser();
    const email = uniqueEmail();
    expect((await b.auth("/sign-up/email", { email, password: PASSWORD, name: "N" })).status).toBe(200);
    await flushBackground(); // the account is created after the answer
    const res = await b.auth("/sign-in/email", { email, password: PASSWORD });
    expect(res.status).toBe(403);
    expect((await res.json()).message).toMatch(/verif/i);
    expect((await rowsFor(email)).sessions).toBe(0);
  });

  it("answers a wrong password with 401 and creates no session", async () => {
    const b = new Browser();
    const { email } = await signUpVerified(b);
    await b.auth("/sign-out", {});
    const res = await new Browser().auth("/sign-in/email", { email, password: "not the password 123" });
    expect(res.status).toBe(401);
    expect((await res.json()).message).toMatch(/invalid email or password/i);
    expect((await rowsFor(email)).sessions).toBe(0);
  });

  it("does not create a second account for a duplicate email", async () => {
    const { email } = await signUpVerified(new Browser());
    const res = await new Browser().auth("/sign-up/email", { email, password: "another password 456", name: "Dup" });
    // With verification required better-auth answers like a fresh sign-up (no enumeration).
    expect([200, 422]).toContain(res.status);
    const rows = await rowsFor(email);
    expect(rows.accounts).toBe(1);
    expect(rows.user?.name).toBe("Test User");
  });

  it("rejects a malformed JSON body with a 4xx and writes nothing", async () => {
    const email = uniqueEmail("malformed");
    const res = await new Browser().auth("/sign-up/email", `{"email":"${email}","password":`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect((await rowsFor(email)).user).toBeUndefined();
  });

  it("rejects a too-short password at sign-up and writes nothing", async () => {
    const email = uniqueEmail("short");
    const res = await new Browser().auth("/sign-up/email", { email, password: "short", name: "S" });
    expect(res.status).toBe(400);
    expect((await res.json()).message).toMatch(/password/i);
    expect((await rowsFor(email)).user).toBeUndefined();
  });
});
