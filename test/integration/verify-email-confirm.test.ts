// Login CSRF through the verification link: an attacker mails a victim the link of an
// account of the attacker's own. Opening it (a top-level GET, or a mail scanner) must not
// sign the victim out or into the attacker's account, nor verify anything; only the
// confirmation page's same-origin POST verifies, and it signs in only a browser that has
// no session.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { POST as confirmRoute } from "@/app/api/verify-email/route";
import { getDb } from "@/db";
import { session as sessionTable, user as userTable } from "@/db/schema";
import { flushBackground } from "@/lib/background";
import { sessionCookieName } from "@/lib/sessions/cookie";
import { Browser, followVerificationLink, ORIGIN, PASSWORD, signUpVerified, UA, uniqueEmail, waitForEmail } from "../support/browser";
import { tokenOf, userIdOf } from "../support/sessions";

/** The attacker signs up an account of their own and keeps its (genuine) verification link. */
async function attackersLink() {
  const email = uniqueEmail("attacker");
  const started = Date.now();
  expect((await new Browser(UA.windowsFirefox).auth("/sign-up/email", { email, password: PASSWORD, name: "Mallory", callbackURL: "/verify-email" })).status).toBe(200);
  const mail = await waitForEmail(email, "verify-email", started);
  return { email, link: mail.link, token: new URL(mail.link).searchParams.get("token")! };
}

const authPath = (link: string) => {
  const url = new URL(link);
  return `${url.pathname.replace(/^\/api\/auth/, "")}${url.search}`;
};

async function verified(email: string) {
  const [u] = await getDb().select({ v: userTable.emailVerified }).from(userTable).where(eq(userTable.email, email));
  return u?.v;
}

async function sessionsOf(email: string) {
  return getDb().select({ id: sessionTable.id }).from(sessionTable).where(eq(sessionTable.userId, await userIdOf(email)));
}

/** The signed-in user behind a browser's cookie, as the app's own check sees it. */
async function whoIs(b: Browser): Promise<string | null> {
  const res = await b.auth("/get-session");
  if (res.status !== 200) return null;
  return ((await res.json()) as { user?: { email?: string } } | null)?.user?.email ?? null;
}

describe("the verification link's GET changes nothing", () => {
  it("a signed-in victim opening the attacker's link stays signed in as herself; the attacker's address stays unverified", async () => {
    const victim = new Browser();
    const { email: victimEmail } = await signUpVerified(victim);
    const before = tokenOf(victim);
    const attack = await attackersLink();

    const res = await victim.auth(authPath(attack.link));
    // Only a redirect to the confirmation page: no cookie set, nothing verified, no session made.
    expect(res.status).toBe(302);
    const page = new URL(res.headers.get("location")!, ORIGIN);
    expect(page.pathname).toBe("/verify-email");
    expect(page.searchParams.get("token")).toBe(attack.token);
    expect(res.headers.getSetCookie().filter((c) => c.includes("session_token"))).toEqual([]);
    await flushBackground();
    expect(tokenOf(victim)).toBe(before);
    expect(await whoIs(victim)).toBe(victimEmail);
    expect(await verified(attack.email)).toBe(false);
    expect(await sessionsOf(attack.email)).toHaveLength(0);
  });

  it("a mail scanner (no cookies) opening a link neither verifies the address nor gets a session", async () => {
    const attack = await attackersLink();
    const scanner = new Browser();
    for (let i = 0; i < 2; i++) {
      const res = await scanner.auth(authPath(attack.link));
      expect(res.status).toBe(302);
    }
    expect(scanner.signedIn()).toBe(false);
    expect(await verified(attack.email)).toBe(false);
    expect(await sessionsOf(attack.email)).toHaveLength(0);
  });
});

describe("the confirmation's POST", () => {
  it("from a browser signed in to another account: verifies the address, keeps the browser's own session", async () => {
    const victim = new Browser();
    const { email: victimEmail } = await signUpVerified(victim);
    const before = tokenOf(victim);
    const attack = await attackersLink();

    const res = await victim.api(confirmRoute, "/api/verify-email", { body: { token: attack.token } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ verified: true, email: attack.email, signedIn: false });
    expect(res.headers.getSetCookie().filter((c) => c.includes("session_token"))).toEqual([]);
    expect(res.headers.get("cache-control")).toBe("no-store");
    await flushBackground();
    expect(tokenOf(victim)).toBe(before);
    expect(await whoIs(victim)).toBe(victimEmail);
    expect(await verified(attack.email)).toBe(true);
    expect(await sessionsOf(attack.email)).toHaveLength(0);
  });

  it("from a browser without a session: verifies and signs in (the sign-up's own flow)", async () => {
    const b = new Browser();
    const email = uniqueEmail("own");
    const started = Date.now();
    expect((await b.auth("/sign-up/email", { email, password: PASSWORD, name: "Own", callbackURL: "/verify-email?next=%2Fsettings" })).status).toBe(200);
    const mail = await waitForEmail(email, "verify-email", started);
    const followed = await followVerificationLink(b, mail.link);
    expect(followed.confirm?.status).toBe(200);
    expect(await followed.confirm!.json()).toEqual({ verified: true, email, signedIn: true });
    expect(followed.landing.pathname + followed.landing.search).toBe("/verify-email?next=%2Fsettings");
    expect(b.cookies.has(sessionCookieName())).toBe(true);
    expect(await whoIs(b)).toBe(email);
    expect(await verified(email)).toBe(true);
    // A second confirmation of the same link: it was used, so it is void.
    const again = await new Browser().api(confirmRoute, "/api/verify-email", { body: { token: new URL(mail.link).searchParams.get("token") } });
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe("invalid_link");
  });

  it("is refused from another site, and for a forged or expired token", async () => {
    const attack = await attackersLink();
    const crossSite = await new Browser().api(confirmRoute, "/api/verify-email", { body: { token: attack.token }, headers: { origin: "https://evil.example" } });
    expect(crossSite.status).toBe(403);
    expect(((await crossSite.json()) as { error: { code: string } }).error.code).toBe("cross_site_request");
    expect(await verified(attack.email)).toBe(false);

    const forged = await new Browser().api(confirmRoute, "/api/verify-email", { body: { token: "not-a-token" } });
    expect(forged.status).toBe(400);
    const { createEmailVerificationToken } = await import("better-auth/api");
    const expired = await createEmailVerificationToken(process.env.BETTER_AUTH_SECRET!, attack.email, undefined, -60);
    const late = await new Browser().api(confirmRoute, "/api/verify-email", { body: { token: expired } });
    expect(late.status).toBe(410);
    expect(((await late.json()) as { error: { code: string } }).error.code).toBe("link_expired");
    expect(await verified(attack.email)).toBe(false);
  });

  it("the sign-in step is not reachable over HTTP, nor outside a confirmation", async () => {
    const attack = await attackersLink();
    const res = await new Browser().auth("/verify-email/sign-in", { userId: await userIdOf(attack.email) });
    expect(res.status).toBe(404);
    const { getAuth } = await import("@/lib/auth");
    await expect(getAuth().api.signInAfterVerification({ body: { userId: await userIdOf(attack.email) }, headers: new Headers() })).rejects.toMatchObject({ statusCode: 403 });
    expect(await sessionsOf(attack.email)).toHaveLength(0);
  });
});
