// The Active devices panel in a real browser: several devices (browser contexts with
// their own cookies, user agent and address) of one user, revoked from one of them.
import pg from "pg";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  backdateSignIn,
  count,
  createAccount,
  deviceRows,
  env,
  expectSignedOut,
  launchBrowser,
  newDevice,
  openPanel,
  PASSWORD,
  signInWithForm,
  sql,
  timed,
  UA,
  visible,
} from "./support/harness";

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

describe("Active devices", () => {
  it("A signs B out; B's next navigation lands on sign-in with the notice, and returns after signing in", () =>
    timed("revoke one device", async () => {
      const a = await newDevice(browser, "A", UA.macChrome);
      const b = await newDevice(browser, "B", UA.windowsFirefox);
      const { email } = await createAccount(a);
      await signInWithForm(b, email);

      await openPanel(a.page, 2);
      const rows = deviceRows(a.page);
      const current = rows.filter({ hasText: "This device" });
      await visible(current.getByText("Chrome 131 on macOS"));
      const other = rows.filter({ hasText: "Firefox 133 on Windows" });
      await visible(other.getByText(b.ip));
      await visible(other.getByText("Signed in"));
      // Relative times, with the exact time on hover.
      const signedIn = other.locator("time").first();
      expect(await signedIn.innerText()).toMatch(/just now|minute/);
      expect(Date.parse((await signedIn.getAttribute("datetime"))!)).toBeGreaterThan(Date.now() - 5 * 60_000);
      expect(await signedIn.getAttribute("title")).toMatch(/\d{4}/);
      // No sign-out button on this device's own row.
      expect(await current.getByRole("button", { name: /^Sign out/ }).count()).toBe(0);

      // The confirmation is a modal dialog; Escape cancels it and nothing happens.
      await other.getByRole("button", { name: "Sign out Firefox 133 on Windows" }).click();
      const dialog = a.page.getByRole("dialog", { name: "Sign out this device?" });
      await visible(dialog);
      await a.page.keyboard.press("Escape");
      await dialog.waitFor({ state: "hidden" });
      await count(rows, 2);

      await other.getByRole("button", { name: "Sign out Firefox 133 on Windows" }).click();
      await dialog.getByRole("button", { name: "Sign out", exact: true }).click();
      await visible(a.page.getByRole("status").getByText("Signed out 1 device: Firefox 133 on Windows."));
      await count(rows, 1);

      // B is out on its very next request, and sees why.
      await expectSignedOut(b);
      await signInWithForm(b, email);
      expect(new URL(b.page.url()).pathname).toBe("/settings/security");
      await count(deviceRows(b.page), 2);
      for (const d of [a, b]) await d.context.close();
    }));

  it("signs out all other devices from the panel (three devices), keeping this one", () =>
    timed("sign out all other devices", async () => {
      const a = await newDevice(browser, "A", UA.macChrome);
      const b = await newDevice(browser, "B", UA.iphoneSafari);
      const c = await newDevice(browser, "C", UA.ipadSafari);
      const { email } = await createAccount(a);
      await signInWithForm(b, email);
      await signInWithForm(c, email);

      await openPanel(a.page, 3);
      const rows = deviceRows(a.page);
      await visible(rows.filter({ hasText: "Safari on iPhone" }).locator('svg[data-device="mobile"]'));
      await visible(rows.filter({ hasText: "Safari on iPad" }).locator('svg[data-device="tablet"]'));
      await visible(rows.filter({ hasText: "This device" }).locator('svg[data-device="desktop"]'));

      await a.page.getByRole("button", { name: "Sign out all other devices" }).click();
      const dialog = a.page.getByRole("dialog", { name: "Sign out all other devices?" });
      await visible(dialog.getByText("Every device except this one will be signed out at once (2 devices)."));
      await dialog.getByRole("button", { name: "Sign out 2 devices" }).click();
      await visible(a.page.getByRole("status").getByText("Signed out 2 other devices."));
      await count(rows, 1);
      await visible(rows.getByText("This device"));
      await visible(a.page.getByText("You're signed in on this device only."));
      expect(await a.page.getByRole("button", { name: "Sign out all other devices" }).count()).toBe(0);

      await expectSignedOut(b);
      await expectSignedOut(c);
      // A is still in.
      await a.page.reload();
      await count(deviceRows(a.page), 1);
      for (const d of [a, b, c]) await d.context.close();
    }));

  it("asks for the password when this sign-in is not recent, and says when it is wrong", () =>
    timed("re-authentication before revoking", async () => {
      const a = await newDevice(browser, "A", UA.macChrome);
      const b = await newDevice(browser, "B", UA.androidChrome);
      const { email } = await createAccount(a);
      await signInWithForm(b, email);
      await openPanel(a.page, 2);

      // A signed in an hour ago, as far as the server is concerned (SESSION_FRESH_AGE is 15 min).
      const currentId = await deviceRows(a.page).filter({ hasText: "This device" }).getAttribute("data-session-id");
      await backdateSignIn(currentId);

      const other = deviceRows(a.page).filter({ hasText: "Chrome on Pixel 8" });
      await other.getByRole("button", { name: /^Sign out/ }).click();
      await a.page.getByRole("dialog", { name: "Sign out this device?" }).getByRole("button", { name: "Sign out", exact: true }).click();
      const dialog = a.page.getByRole("dialog", { name: "Confirm your password" });
      await visible(dialog);
      const password = dialog.getByLabel("Password");
      await password.fill("this is not my password");
      await dialog.getByRole("button", { name: "Confirm and sign out" }).click();
      await visible(dialog.getByText("That password is not correct."));
      expect(await password.getAttribute("aria-invalid")).toBe("true");
      await count(deviceRows(a.page), 2);

      await password.fill(PASSWORD);
      await dialog.getByRole("button", { name: "Confirm and sign out" }).click();
      await visible(a.page.getByRole("status").getByText(/Signed out 1 device/));
      await count(deviceRows(a.page), 1);
      await expectSignedOut(b);
      for (const d of [a, b]) await d.context.close();
    }));

  it("changing the password from A signs B out and keeps A signed in", () =>
    timed("change password", async () => {
      const a = await newDevice(browser, "A", UA.macChrome);
      const b = await newDevice(browser, "B", UA.iphoneSafari);
      const { email } = await createAccount(a);
      await signInWithForm(b, email);
      await openPanel(a.page, 2);

      const form = a.page.getByRole("region", { name: "Change password" });
      await visible(form.getByText("At least 10 characters", { exact: false }));
      await form.getByLabel("Current password").fill("wrong current password");
      await form.getByLabel("New password", { exact: true }).fill("short");
      await form.getByRole("button", { name: "Change password" }).click();
      await visible(form.getByText(/Use at least 10 characters/));

      const newPassword = "another long passphrase 7";
      await form.getByLabel("New password", { exact: true }).fill(newPassword);
      await form.getByLabel("Confirm new password").fill(newPassword);
      await form.getByRole("button", { name: "Change password" }).click();
      await visible(form.getByText("That password is not correct."));

      await form.getByLabel("Current password").fill(PASSWORD);
      await form.getByLabel("New password", { exact: true }).fill(newPassword);
      await form.getByLabel("Confirm new password").fill(newPassword);
      await form.getByRole("button", { name: "Change password" }).click();
      await visible(form.getByRole("status").getByText("Your password was changed, and your 1 other device was signed out."));
      await count(deviceRows(a.page), 1);

      // B's open tab leaves the account on its own (live sign-out), with the notice...
      await b.page.waitForURL((u) => u.pathname === "/sign-in");
      expect(new URL(b.page.url()).searchParams.get("reason")).toBe("signed-out");
      await visible(b.page.getByText("You were signed out on this device"));
      // ...and a click inside the app afterwards (a client-side navigation) lands on sign-in too.
      await b.page.goto("/");
      await b.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Security" }).click();
      await b.page.waitForURL((u) => u.pathname === "/sign-in");

      // A keeps working with its new session; B signs in with the new password only.
      await a.page.reload();
      await count(deviceRows(a.page), 1);
      await b.page.getByLabel("Email").fill(email);
      await b.page.getByLabel("Password").fill(PASSWORD);
      await b.page.getByRole("button", { name: "Sign in" }).click();
      await visible(b.page.getByText("That email and password don't match."));
      await signInWithForm(b, email, newPassword);
      for (const d of [a, b]) await d.context.close();
    }));

  it("a slow answer to A's password change does not sign A out (its own end notice comes first)", () =>
    timed("slow password change", async () => {
      const a = await newDevice(browser, "A", UA.macChrome);
      const b = await newDevice(browser, "B", UA.iphoneSafari);
      const { email } = await createAccount(a);
      await signInWithForm(b, email);
      await openPanel(a.page, 2);
      await a.page.waitForFunction(() => document.body.dataset.liveSession === "open", undefined, { timeout: 15_000 });

      // The change voids the account's reset links after ending the sessions and before it
      // answers. A reset link whose row this test holds locked keeps that answer waiting,
      // as a busy server would, for longer than the tab's own re-checks last.
      const [user] = await sql<{ id: string }>("SELECT id FROM \"user\" WHERE email = $1", [email]);
      await sql("INSERT INTO verification (id, identifier, value, expires_at) VALUES ($1, $2, $3, now() + interval '1 hour')", [
        `slow-${user!.id}`,
        `reset-password:slow-${user!.id}`,
        user!.id,
      ]);
      const holder = new pg.Client({ connectionString: env.databaseUrl });
      await holder.connect();
      try {
        await holder.query("BEGIN");
        await holder.query("SELECT id FROM verification WHERE id = $1 FOR UPDATE", [`slow-${user!.id}`]);

        const newPassword = "another long passphrase 8";
        const form = a.page.getByRole("region", { name: "Change password" });
        await form.getByLabel("Current password").fill(PASSWORD);
        await form.getByLabel("New password", { exact: true }).fill(newPassword);
        await form.getByLabel("Confirm new password").fill(newPassword);
        await form.getByRole("button", { name: "Change password" }).click();
        // B's session ended with the change: B leaves while A's answer is still held.
        await b.page.waitForURL((u) => u.pathname === "/sign-in");
        await a.page.waitForTimeout(8_000);
        expect(new URL(a.page.url()).pathname).toBe("/settings/security");
        await holder.query("COMMIT");
      } finally {
        await holder.end();
      }
      await visible(a.page.getByRole("region", { name: "Change password" }).getByRole("status").getByText("Your password was changed"));
      await a.page.waitForTimeout(2_000);
      expect(new URL(a.page.url()).pathname).toBe("/settings/security");
      await a.page.reload();
      await count(deviceRows(a.page), 1);
      for (const d of [a, b]) await d.context.close();
    }));
});
