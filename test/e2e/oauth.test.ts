// Sign-in with an OpenID Connect provider in Chromium, against a real provider
// (oidc-provider, test/support/oidc-server.ts) and the production server started here with
// the provider configured. The run's own server has no provider: no button there.
import path from "node:path";
import * as OTPAuth from "otpauth";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, PORT_RANGES } from "../support/ports";
import { startOidcServer, type OidcServer } from "../support/oidc-server";
import { startAppServer, type AppServer } from "./support/app-server";
import { backdateSignIn, createAccount, deviceRows, env, expectSignedOut, launchBrowser, newDevice, openPanel, PASSWORD, uniqueEmail, visible, type Device } from "./support/harness";

let browser: Browser;
let idp: OidcServer;
let app: AppServer;

beforeAll(async () => {
  browser = await launchBrowser();
  const url = `http://127.0.0.1:${await freePort(PORT_RANGES.e2e)}`;
  idp = await startOidcServer(url);
  app = await startAppServer(
    url,
    { ...env.appEnv, OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: idp.clientId, OIDC_CLIENT_SECRET: idp.clientSecret, OIDC_NAME: "Acme SSO" },
    path.join(path.dirname(env.outboxDir), "oauth-server.log"),
  );
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await idp?.close();
  await browser?.close();
});

let logins = 0;
function providerAccount(email = uniqueEmail("idp"), emailVerified = true) {
  const login = `e2e-person-${logins++}`;
  idp.setAccount(login, { email, emailVerified, name: "Grace Hopper" });
  return { login, email };
}

/** At the provider's page: signs in as `login`, or cancels. */
async function atProvider(device: Device, action: { login: string } | "cancel") {
  const { page } = device;
  await page.waitForURL((u) => u.origin === idp.issuer && u.pathname.startsWith("/interaction/"));
  if (action === "cancel") return page.getByRole("button", { name: "Cancel" }).click();
  await page.getByLabel("Login").fill(action.login);
  await page.getByRole("button", { name: "Continue" }).click();
}

/**
 * From the sign-in page the device is on, through the provider's button and its page, back at
 * Security settings as `login`. `remembered`: this browser signed in at the provider before,
 * which may skip its page.
 */
async function signInThroughProvider(device: Device, login: string, { remembered = false } = {}) {
  await device.page.getByRole("button", { name: "Continue with Acme SSO" }).click();
  if (remembered) {
    await device.page.waitForURL(
      (u) => (u.origin === idp.issuer && u.pathname.startsWith("/interaction/")) || (u.origin === app.url && u.pathname === "/settings/security"),
    );
  }
  if (!remembered || new URL(device.page.url()).origin === idp.issuer) await atProvider(device, { login });
  await device.page.waitForURL((u) => u.origin === app.url && u.pathname === "/settings/security");
}

describe("OAuth sign-in in the browser", () => {
  it("shows no provider button where none is configured", async () => {
    const device = await newDevice(browser, "plain");
    await device.page.goto("/sign-in");
    await visible(device.page.getByRole("button", { name: "Sign in" }));
    // Providers only: the passkey button ("Continue with a passkey") is always there.
    expect(await device.page.getByRole("button", { name: /^Continue with (?!a passkey$)/ }).count()).toBe(0);
    await visible(device.page.getByRole("button", { name: "Continue with a passkey" }));
    await device.context.close();
  });

  it("signs in with the provider: the session is listed with it in Active devices and Recent activity", async () => {
    const { login } = providerAccount();
    const device = await newDevice(browser, "oauth", undefined, { baseURL: app.url });
    const { page } = device;
    await page.goto("/sign-in");
    await signInThroughProvider(device, login);
    await visible(deviceRows(page).first());
    await visible(deviceRows(page).first().getByText("Acme SSO"));
    // The history row is written just after the sign-in's answer: read the page again.
    await page.reload();
    await visible(page.getByText(/Signed in with Acme SSO from/));
    await visible(page.getByRole("list", { name: "Ways to sign in" }).getByText("Acme SSO"));
    await device.context.close();
  });

  it("comes back to the sign-in page with a message when the person cancels at the provider", async () => {
    const device = await newDevice(browser, "cancel", undefined, { baseURL: app.url });
    const { page } = device;
    await page.goto("/sign-in");
    await page.getByRole("button", { name: "Continue with Acme SSO" }).click();
    await atProvider(device, "cancel");
    await page.waitForURL((u) => u.origin === app.url && u.pathname === "/sign-in");
    await visible(page.getByRole("alert").getByText("Sign-in was cancelled at the provider."));
    expect(await page.getByRole("button", { name: "Continue with Acme SSO" }).count()).toBe(1);
    await device.context.close();
  });

  it("refuses an address the provider has not verified, with a message", async () => {
    const { login } = providerAccount(uniqueEmail("unverified"), false);
    const device = await newDevice(browser, "unverified", undefined, { baseURL: app.url });
    const { page } = device;
    await page.goto("/sign-in");
    await page.getByRole("button", { name: "Continue with Acme SSO" }).click();
    await atProvider(device, { login });
    await page.waitForURL((u) => u.origin === app.url && u.pathname === "/sign-in");
    await visible(page.getByRole("alert").getByText(/has not verified that email address/));
    await device.context.close();
  });

  it("an account with two-factor on: the provider's sign-in stops at the second step, and the session says both", async () => {
    const owner = await newDevice(browser, "2fa-owner", undefined, { baseURL: app.url });
    const { email } = await createAccount(owner);
    await owner.page.goto("/settings/security");
    await owner.page.getByRole("button", { name: "Turn on two-factor" }).click();
    await owner.page.getByLabel("Your password").fill(PASSWORD);
    await owner.page.getByRole("button", { name: "Continue" }).click();
    const secret = (await owner.page.getByTestId("totp-secret").innerText()).trim();
    const authenticator = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) });
    await owner.page.getByLabel("Code from the app").fill(authenticator.generate());
    await owner.page.getByRole("button", { name: "Turn on two-factor" }).click();
    await visible(owner.page.getByText("Two-factor authentication is on."));

    // With two-factor on, the provider joins the account from settings (not at a sign-in).
    const { login } = providerAccount(email);
    await owner.page.goto("/settings/security");
    await openPanel(owner.page);
    await owner.page.getByRole("button", { name: "Link Acme SSO" }).click();
    await atProvider(owner, { login });
    await owner.page.waitForURL((u) => u.origin === app.url && u.pathname === "/settings/security");
    await visible(owner.page.getByRole("button", { name: "Unlink Acme SSO" }));
    const device = await newDevice(browser, "2fa-sso", undefined, { baseURL: app.url });
    const { page } = device;
    await page.goto("/sign-in");
    await page.getByRole("button", { name: "Continue with Acme SSO" }).click();
    await atProvider(device, { login });
    // Back on the sign-in page, at the second step: no error, no other way in offered.
    await page.waitForURL((u) => u.origin === app.url && u.pathname === "/sign-in" && u.searchParams.get("step") === "two-factor");
    await visible(page.getByRole("heading", { name: "Two-factor authentication" }));
    expect(await page.getByRole("button", { name: "Continue with Acme SSO" }).count()).toBe(0);
    // No error: neither the provider's (#oauth-error) nor the form's. (Next's route announcer is an alert too.)
    expect(await page.locator("#oauth-error").count()).toBe(0);
    expect(await page.getByRole("form", { name: "Two-factor authentication" }).getByRole("alert").count()).toBe(0);
    await page.getByLabel("Authentication code").fill(authenticator.generate({ timestamp: Date.now() + 30_000 }));
    await page.getByRole("button", { name: "Verify" }).click();
    await page.waitForURL((u) => u.origin === app.url && u.pathname === "/settings/security");
    await openPanel(page, 2);
    await visible(deviceRows(page).filter({ hasText: "This device" }).getByText("Acme SSO and authenticator app"));
    await owner.context.close();
    await device.context.close();
  });

  it("an account made through the provider: a link sets a password, and two-factor goes on without one (its recent sign-in confirms it)", async () => {
    const { login } = providerAccount();
    const device = await newDevice(browser, "sso-only-2fa", undefined, { baseURL: app.url });
    const { page } = device;
    await page.goto("/sign-in");
    await signInThroughProvider(device, login);
    await visible(page.getByText("Off: signing in needs only your provider."));
    // No password to change: the card offers the emailed link that sets one.
    expect(await page.getByLabel("Current password").count()).toBe(0);
    await page.getByRole("button", { name: "Email me a link to set a password" }).click();
    await visible(page.getByText("Check your email"));
    await page.getByRole("button", { name: "Turn on two-factor" }).click();
    await visible(page.getByText("Your account has no password: your recent sign-in confirms this."));
    expect(await page.getByLabel("Your password").count()).toBe(0);
    await page.getByRole("button", { name: "Continue", exact: true }).click();
    const secret = (await page.getByTestId("totp-secret").innerText()).trim();
    const authenticator = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) });
    await page.getByLabel("Code from the app").fill(authenticator.generate());
    await page.getByRole("button", { name: "Turn on two-factor" }).click();
    await visible(page.getByText("Two-factor authentication is on."));
    await visible(page.getByText("On: signing in needs a code from your authenticator app after your provider."));
    await device.context.close();
  });

  it("an account made through the provider confirms a sign-out by signing in again, not with a password it does not have", async () => {
    const { login } = providerAccount();
    const a = await newDevice(browser, "sso-a", undefined, { baseURL: app.url });
    const b = await newDevice(browser, "sso-b", undefined, { baseURL: app.url });
    for (const d of [a, b]) {
      await d.page.goto("/sign-in");
      await signInThroughProvider(d, login);
    }
    await a.page.reload();
    await openPanel(a.page, 2);
    // A signed in an hour ago, as far as the server is concerned.
    await backdateSignIn(await deviceRows(a.page).filter({ hasText: "This device" }).getAttribute("data-session-id"));
    const signOutOther = async () => {
      await deviceRows(a.page).filter({ hasNotText: "This device" }).getByRole("button", { name: /^Sign out/ }).click();
      await a.page.getByRole("dialog", { name: "Sign out this device?" }).getByRole("button", { name: "Sign out", exact: true }).click();
    };
    await signOutOther();
    const dialog = a.page.getByRole("dialog", { name: "Sign in again first" });
    await visible(dialog.getByText(/your account has no password/));
    expect(await dialog.getByLabel("Password").count()).toBe(0);
    await dialog.getByRole("button", { name: "Sign in again" }).click();
    await a.page.waitForURL((u) => u.pathname === "/sign-in" && u.searchParams.get("next") === "/settings/security");
    await signInThroughProvider(a, login, { remembered: true });
    await openPanel(a.page, 2);
    await signOutOther();
    await visible(a.page.getByRole("status").getByText(/Signed out 1 device/));
    // B's open tab leaves at once (and is closed only after its navigation, which Chromium may not survive).
    await expectSignedOut(b);
    await a.context.close();
    await b.context.close();
  });

  it("links the provider from settings (same verified address) and unlinks it again", async () => {
    const device = await newDevice(browser, "linker", undefined, { baseURL: app.url });
    const { page } = device;
    const { email } = await createAccount(device);
    const { login } = providerAccount(email);
    await openPanel(page);
    const ways = page.getByRole("list", { name: "Ways to sign in" });
    await visible(ways.getByText("Password"));
    await page.getByRole("button", { name: "Link Acme SSO" }).click();
    await atProvider(device, { login });
    await page.waitForURL((u) => u.origin === app.url && u.pathname === "/settings/security");
    await visible(page.getByRole("button", { name: "Unlink Acme SSO" }));
    await page.getByRole("button", { name: "Unlink Acme SSO" }).click();
    await visible(page.getByRole("button", { name: "Link Acme SSO" }));
    await device.context.close();
  });
});
