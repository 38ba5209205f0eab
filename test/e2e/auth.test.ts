// Sign-up, email verification, sign-in and password recovery, in a real browser against
// the production build. Every email is read from the outbox, as a person reads an inbox.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  count,
  createAccount,
  deviceRows,
  emailsTo,
  expectSignedOut,
  followVerificationLink,
  launchBrowser,
  newDevice,
  openPanel,
  PASSWORD,
  signInWithForm,
  timed,
  UA,
  uniqueEmail,
  visible,
  waitForEmail,
} from "./support/harness";

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

describe("accounts", () => {
  it("signs up, verifies through the emailed link, signs out and signs back in", () =>
    timed("sign up → verify → sign in", async () => {
      const a = await newDevice(browser, "A");
      const { page } = a;
      const email = uniqueEmail("signup");

      // The form explains its rules and ties errors to fields.
      await page.goto("/sign-up");
      await visible(page.getByText("At least 10 characters."));
      await page.getByRole("button", { name: "Create account" }).click();
      const name = page.getByLabel("Name");
      await visible(page.getByText("Enter your name."));
      expect(await name.getAttribute("aria-invalid")).toBe("true");
      const describedBy = (await name.getAttribute("aria-describedby")) ?? "";
      expect(await page.locator(`[id="${describedBy.split(" ").pop()}"]`).textContent()).toContain("Enter your name.");
      expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("name");

      const account = await createAccount(a, email);
      expect((await emailsTo(email, "verify-email")).length).toBe(1);

      // The verified page continues into the app, signed in.
      await visible(page.getByText("You're signed in."));
      await page.getByRole("link", { name: "Continue" }).click();
      await page.waitForURL((u) => u.pathname === "/settings/security");
      await count(deviceRows(page), 1);
      await visible(deviceRows(page).first().getByText("This device"));

      await page.getByRole("button", { name: "Sign out", exact: true }).click();
      await page.waitForURL((u) => u.pathname === "/sign-in");
      // Signed out for real: the protected page sends us back to sign-in.
      await page.goto("/settings/security");
      await page.waitForURL((u) => u.pathname === "/sign-in");

      // A wrong password is refused with a clear message, then the right one works.
      await page.getByLabel("Email").fill(account.email);
      await page.getByLabel("Password").fill("not my password at all");
      await page.getByRole("button", { name: "Sign in" }).click();
      await visible(page.getByRole("alert").getByText("That email and password don't match."));
      await signInWithForm(a, account.email, account.password);
      await openPanel(page, 1);
      await a.context.close();
    }));

  it("explains an unverified sign-in and resends the verification email", () =>
    timed("unverified sign-in → resend → verify", async () => {
      const a = await newDevice(browser, "A", UA.windowsFirefox);
      const { page } = a;
      const email = uniqueEmail("unverified");
      await page.goto("/sign-up");
      await page.getByLabel("Name").fill("Grace Hopper");
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Create account" }).click();
      await page.waitForURL((u) => u.pathname === "/check-email");
      await visible(page.getByText(email));
      await waitForEmail(email, "verify-email");

      // Sign-in before verifying: a clear message; better-auth has re-sent the link.
      await page.goto("/sign-in");
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await visible(page.getByText("Please verify your email address first"));
      await waitForEmail(email, "verify-email", 1);

      await page.getByRole("button", { name: "Resend verification email" }).click();
      await page.waitForURL((u) => u.pathname === "/check-email");
      await visible(page.getByText("Verification email sent"));
      const newest = await waitForEmail(email, "verify-email", 2);
      expect(new URL(newest.link).searchParams.get("callbackURL")).toBe("/verify-email");

      // A broken link lands on the error page with a resend form.
      await page.goto("/api/auth/verify-email?token=not-a-real-token&callbackURL=%2Fverify-email");
      await page.waitForURL((u) => u.pathname === "/verify-email");
      expect(new URL(page.url()).searchParams.get("error")).toBe("INVALID_TOKEN");
      await visible(page.getByRole("heading", { name: "This link isn't valid" }));
      await visible(page.getByRole("button", { name: "Resend verification email" }));

      // The real one asks for a confirmation, which verifies and signs this browser in.
      await followVerificationLink(a, newest.link, email);
      await page.getByRole("link", { name: "Continue" }).click();
      await page.waitForURL((u) => u.pathname === "/settings/security");
      await count(deviceRows(page), 1);
      await a.context.close();
    }));

  it("forgot/reset password: same answer for unknown addresses, signs out every device, link works once", () =>
    timed("forgot → reset signs out everyone", async () => {
      const a = await newDevice(browser, "A", UA.macChrome);
      const b = await newDevice(browser, "B", UA.androidChrome);
      const c = await newDevice(browser, "C", UA.windowsFirefox);
      const { email } = await createAccount(a);
      await signInWithForm(b, email);
      await openPanel(a.page, 2);

      // C has forgotten the password. Unknown and known addresses get the same answer.
      await c.page.goto("/sign-in");
      await c.page.getByRole("link", { name: "Forgot password?" }).click();
      await c.page.waitForURL((u) => u.pathname === "/forgot-password");
      await c.page.getByLabel("Email").fill(uniqueEmail("nobody"));
      await c.page.getByRole("button", { name: "Send reset link" }).click();
      const unknownAnswer = (await c.page.getByRole("status").first().innerText()).replace(/\S+@example\.test/, "<email>");
      await c.page.getByRole("button", { name: "Use a different email" }).click();
      await c.page.getByLabel("Email").fill(email);
      await c.page.getByRole("button", { name: "Send reset link" }).click();
      await visible(c.page.getByText(email));
      const knownAnswer = (await c.page.getByRole("status").first().innerText()).replace(/\S+@example\.test/, "<email>");
      expect(knownAnswer).toBe(unknownAnswer);

      const mail = await waitForEmail(email, "password-reset");
      await c.page.goto(mail.link);
      await c.page.waitForURL((u) => u.pathname === "/reset-password");
      expect(new URL(c.page.url()).searchParams.get("token")).toBeTruthy();
      const newPassword = "a brand new passphrase 42";
      await c.page.getByLabel("New password", { exact: true }).fill(newPassword);
      await c.page.getByLabel("Confirm new password").fill("something else entirely");
      await c.page.getByRole("button", { name: "Reset password" }).click();
      await visible(c.page.getByText("The passwords don't match."));
      await c.page.getByLabel("Confirm new password").fill(newPassword);
      await c.page.getByRole("button", { name: "Reset password" }).click();
      await c.page.waitForURL((u) => u.pathname === "/sign-in");
      await visible(c.page.getByText("Your password was reset"));

      // Every device that was signed in is signed out on its next request.
      await expectSignedOut(a);
      await expectSignedOut(b);

      // The link is single-use.
      await c.page.goto(mail.link);
      await c.page.waitForURL((u) => u.pathname === "/reset-password");
      expect(new URL(c.page.url()).searchParams.get("error")).toBe("INVALID_TOKEN");
      await visible(c.page.getByText("This reset link is invalid or has expired"));

      // Old password refused, new one accepted; A returns to where it was going.
      await a.page.getByLabel("Email").fill(email);
      await a.page.getByLabel("Password").fill(PASSWORD);
      await a.page.getByRole("button", { name: "Sign in" }).click();
      await visible(a.page.getByText("That email and password don't match."));
      await signInWithForm(a, email, newPassword);
      await openPanel(a.page, 1);
      for (const d of [a, b, c]) await d.context.close();
    }));
});
