// Pre-registration takeover and stale reset links, attacked end to end through
// better-auth's real handler, this run's Postgres and Redis, and the outbox.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { and, eq, like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { user as userTable, verification } from "@/db/schema";
import { flushBackground } from "@/lib/background";
import { flushMail } from "@/lib/mail";
import type { OutboxEnvelope } from "@/lib/mail/outbox";
import { Browser, followVerificationLink, ORIGIN, outbox, PASSWORD, signIn, signUpVerified, UA, uniqueEmail, type OutboxMessage } from "../support/browser";

const ATTACKER_PASSWORD = "the attacker's own passphrase";
const OWNER_PASSWORD = "the owner's chosen passphrase";
const NEW_PASSWORD = "a brand new passphrase 42";

/** Every message of a template to an address, oldest first, once all background work is done. */
async function inbox(to: string, template: string): Promise<OutboxMessage[]> {
  await flushBackground();
  await flushMail();
  return (await outbox()).filter((m) => m.to === to && m.template === template);
}

async function newest(to: string, template: string): Promise<OutboxMessage> {
  const all = await inbox(to, template);
  expect(all.length).toBeGreaterThan(0);
  return all[all.length - 1]!;
}

async function textOf(m: OutboxMessage): Promise<string> {
  const dir = process.env.OUTBOX_DIR!;
  const envelope = JSON.parse(await readFile(path.join(dir, m.file), "utf8")) as OutboxEnvelope;
  return readFile(path.join(dir, envelope.text), "utf8");
}

/** better-auth paths are mounted under /api/auth; Browser.auth() takes the rest. */
function authPath(link: string): string {
  const url = new URL(link);
  expect(url.origin).toBe(ORIGIN);
  return `${url.pathname.replace(/^\/api\/auth/, "")}${url.search}`;
}

async function signUp(b: Browser, email: string, password: string, name: string) {
  const res = await b.auth("/sign-up/email", { email, password, name, callbackURL: "/verify-email" });
  return { status: res.status, cookies: res.headers.getSetCookie(), body: (await res.json()) as { token: unknown; user: Record<string, unknown> } };
}

async function signInStatus(email: string, password: string): Promise<number> {
  return (await new Browser().auth("/sign-in/email", { email, password })).status;
}

async function emailVerified(email: string): Promise<boolean | undefined> {
  const [u] = await getDb().select({ v: userTable.emailVerified }).from(userTable).where(eq(userTable.email, email));
  return u?.v;
}

/** Clicks a verification link and confirms it on its page; returns where the browser ends up (the error, if any, is in ?error=). */
async function click(b: Browser, link: string): Promise<URL> {
  expect(new URL(link).origin).toBe(ORIGIN);
  return (await followVerificationLink(b, link)).landing;
}

describe("pre-registration takeover", () => {
  it("the owner's later sign-up takes the address back: her link signs her in, her password works, the attacker's does not", async () => {
    const email = uniqueEmail("victim");
    const attacker = new Browser(UA.windowsFirefox);
    expect((await signUp(attacker, email, ATTACKER_PASSWORD, "Mallory")).status).toBe(200);
    const attackersLink = await newest(email, "verify-email"); // lands in the owner's inbox

    // The owner signs up with her own password; she asks for the email again and clicks it.
    const owner = new Browser(UA.macChrome);
    expect((await signUp(owner, email, OWNER_PASSWORD, "Alice")).status).toBe(200);
    const replaced = await newest(email, "verify-email");
    expect(replaced.file).not.toBe(attackersLink.file);
    expect(await textOf(replaced)).toContain("This address was just used to sign up again before it was confirmed.");
    expect(await textOf(replaced)).toContain("use the link in the email from your own sign-up");
    const resend = await owner.auth("/send-verification-email", { email, callbackURL: "/verify-email" });
    expect(resend.status).toBe(200);
    const resent = await newest(email, "verify-email");
    expect(resent.file).not.toBe(replaced.file);

    const landing = await click(owner, resent.link);
    expect(landing.searchParams.get("error")).toBeNull();
    expect(owner.signedIn()).toBe(true);
    expect(await emailVerified(email)).toBe(true);

    expect(await signInStatus(email, ATTACKER_PASSWORD)).toBe(401);
    expect(await signInStatus(email, OWNER_PASSWORD)).toBe(200);
    const [u] = await getDb().select({ name: userTable.name }).from(userTable).where(eq(userTable.email, email));
    expect(u?.name).toBe("Alice");
  });

  // better-auth's verification JWTs have second resolution; every link the app mails carries a
  // nonce, so links minted within one second are still distinct (no pauses below).

  it("an attacker who signs up again after the owner cannot take her link: it still sets her password", async () => {
    const email = uniqueEmail("after");
    const owner = new Browser(UA.macChrome);
    expect((await signUp(owner, email, OWNER_PASSWORD, "Alice")).status).toBe(200);
    const ownersLink = await newest(email, "verify-email");
    expect((await signUp(new Browser(UA.windowsFirefox), email, ATTACKER_PASSWORD, "Mallory")).status).toBe(200);
    const attackersLink = await newest(email, "verify-email");
    expect(attackersLink.link).not.toBe(ownersLink.link);
    // The pending password is now the attacker's (the account is unverified: nobody can sign in).
    expect(await signInStatus(email, ATTACKER_PASSWORD)).toBe(403);

    const landing = await click(owner, ownersLink.link);
    expect(landing.searchParams.get("error")).toBeNull();
    expect(owner.signedIn()).toBe(true);
    expect(await emailVerified(email)).toBe(true);
    expect(await signInStatus(email, OWNER_PASSWORD)).toBe(200);
    expect(await signInStatus(email, ATTACKER_PASSWORD)).toBe(401);
    const [u] = await getDb().select({ name: userTable.name }).from(userTable).where(eq(userTable.email, email));
    expect(u?.name).toBe("Alice");
    // Verified: the attacker's link is void.
    expect((await click(new Browser(), attackersLink.link)).searchParams.get("error")).toBe("INVALID_TOKEN");
  });

  it("every link installs its own sign-up's password; once the address is verified no link is left", async () => {
    const email = uniqueEmail("pending");
    expect((await signUp(new Browser(), email, ATTACKER_PASSWORD, "First")).status).toBe(200);
    const first = await newest(email, "verify-email");
    // A second link for the first sign-up (sign-in before verification re-sends one).
    expect(await signInStatus(email, ATTACKER_PASSWORD)).toBe(403);
    const second = await newest(email, "verify-email");
    expect(second.file).not.toBe(first.file);

    expect((await signUp(new Browser(), email, OWNER_PASSWORD, "Second")).status).toBe(200);
    const latest = await newest(email, "verify-email");
    expect(new Set([first.link, second.link, latest.link]).size).toBe(3);
    // Records hold the password hash a link installs, never a token or a password.
    const rows = await getDb().select().from(verification).where(like(verification.identifier, "verify-email:%"));
    for (const row of rows) {
      expect(row.value).not.toContain(OWNER_PASSWORD);
      expect(row.identifier).not.toContain(new URL(latest.link).searchParams.get("token")!);
    }

    // The second link was sent for the first sign-up: it verifies with the first password.
    const b = new Browser();
    expect((await click(b, second.link)).searchParams.get("error")).toBeNull();
    expect(b.signedIn()).toBe(true);
    expect(await signInStatus(email, ATTACKER_PASSWORD)).toBe(200);
    expect(await signInStatus(email, OWNER_PASSWORD)).toBe(401);
    const [u] = await getDb().select({ name: userTable.name }).from(userTable).where(eq(userTable.email, email));
    expect(u?.name).toBe("First");

    // Verified: no verification link of the account is left to use.
    for (const stale of [first, latest, second]) {
      const other = new Browser();
      expect((await click(other, stale.link)).searchParams.get("error")).toBe("INVALID_TOKEN");
      expect(other.signedIn()).toBe(false);
    }
    // Without a callback, the same refusal as better-auth's own: 401 INVALID_TOKEN.
    const bare = new URL(first.link);
    bare.searchParams.delete("callbackURL");
    const res = await new Browser().auth(authPath(bare.href));
    expect(res.status).toBe(401);
    expect((await res.json()).code).toBe("INVALID_TOKEN");
  });

  it("a sign-up for a verified address changes nothing and sends nothing", async () => {
    const { email } = await signUpVerified(new Browser());
    const before = (await inbox(email, "verify-email")).length;
    expect((await signUp(new Browser(), email, ATTACKER_PASSWORD, "Mallory")).status).toBe(200);
    expect(await inbox(email, "verify-email")).toHaveLength(before);
    expect(await signInStatus(email, ATTACKER_PASSWORD)).toBe(401);
    expect(await signInStatus(email, PASSWORD)).toBe(200);
  });

  it("answers a new, an unverified and a verified address the same way", async () => {
    const fresh = uniqueEmail("fresh");
    const pending = uniqueEmail("pending");
    expect((await signUp(new Browser(), pending, PASSWORD, "N")).status).toBe(200);
    const { email: verified } = await signUpVerified(new Browser());
    await flushBackground();

    const answers = [];
    for (const email of [fresh, pending, verified]) {
      const a = await signUp(new Browser(), email, OWNER_PASSWORD, "Same Name");
      const { id, createdAt, updatedAt, email: shown, ...rest } = a.body.user;
      expect(typeof id).toBe("string");
      expect(createdAt).toBe(updatedAt);
      expect(shown).toBe(email);
      answers.push({ status: a.status, cookies: a.cookies, token: a.body.token, keys: Object.keys(a.body.user), rest });
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect(answers[0]).toMatchObject({ status: 200, cookies: [], token: null });
  });
});

describe("reset links do not outlive a reset", () => {
  async function resetLinks(email: string, n: number): Promise<string[]> {
    const links: string[] = [];
    for (let i = 0; i < n; i++) {
      const res = await new Browser().auth("/request-password-reset", { email, redirectTo: "/reset-password" });
      expect(res.status).toBe(200);
      links.push((await newest(email, "password-reset")).link);
    }
    expect(new Set(links).size).toBe(n);
    return links;
  }
  const tokenOf = (link: string) => new URL(link).pathname.split("/").pop()!;

  async function expectRefused(link: string) {
    const landing = new URL((await new Browser().auth(authPath(link))).headers.get("location")!, ORIGIN);
    expect(landing.searchParams.get("error")).toBe("INVALID_TOKEN");
    const res = await new Browser().auth("/reset-password", { newPassword: "the stale link's passphrase", token: tokenOf(link) });
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe("INVALID_TOKEN");
  }

  async function outstanding(email: string): Promise<number> {
    const [u] = await getDb().select({ id: userTable.id }).from(userTable).where(eq(userTable.email, email));
    const rows = await getDb()
      .select({ id: verification.id })
      .from(verification)
      .where(and(eq(verification.value, u!.id), like(verification.identifier, "reset-password:%")));
    return rows.length;
  }

  it("of three links, once link 2 has reset the password, links 1 and 3 are void", async () => {
    const { email } = await signUpVerified(new Browser());
    const [one, two, three] = await resetLinks(email, 3);
    expect(await outstanding(email)).toBe(3);

    const reset = await new Browser().auth("/reset-password", { newPassword: NEW_PASSWORD, token: tokenOf(two!) });
    expect(reset.status).toBe(200);
    expect(await outstanding(email)).toBe(0);
    await expectRefused(three!);
    await expectRefused(one!);
    expect(await signInStatus(email, NEW_PASSWORD)).toBe(200);
  });

  it("a password change voids every outstanding reset link", async () => {
    const b = new Browser();
    const { email } = await signUpVerified(b);
    const links = await resetLinks(email, 2);

    const change = await b.auth("/change-password", { currentPassword: PASSWORD, newPassword: NEW_PASSWORD, revokeOtherSessions: true });
    expect(change.status).toBe(200);
    expect(await outstanding(email)).toBe(0);
    for (const link of links) await expectRefused(link);
    await signIn(new Browser(), email, NEW_PASSWORD);
  });
});
