// Support access in Chromium: the admin views the app as a user (a banner on every page, with
// the time left), the user's open panel lists "Support (…) signed in as you" without a reload,
// the user signs it out there, and the admin's tab leaves the user's account within a second,
// back in the console on the admin's own session.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeFindings, isBlocking } from "./support/axe";
import { createAccount, deviceRows, env, launchBrowser, newDevice, openPanel, timed, UA, visible } from "./support/harness";

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

const run = promisify(execFile);

async function promote(email: string): Promise<void> {
  await run("npm", ["run", "-s", "users:role", "--", email, "admin"], { cwd: path.resolve(import.meta.dirname, "../.."), env: env.appEnv as NodeJS.ProcessEnv });
}

async function live(page: Page) {
  await page.waitForFunction(() => document.body.dataset.liveSession === "open", undefined, { timeout: 15_000 });
}

describe("impersonation", () => {
  it("impersonate, the user's panel lists it, the user ends it, the admin's tab leaves within a second", () =>
    timed("impersonation: start, listed, ended by the user", async () => {
      const admin = await newDevice(browser, "admin", UA.macChrome);
      const user = await newDevice(browser, "user", UA.windowsFirefox);
      const { email: adminEmail } = await createAccount(admin, undefined, undefined, "Grace Hopper");
      const { email } = await createAccount(user, undefined, undefined, "Ada Lovelace");
      await promote(adminEmail);

      // The user's panel is open (one device: this one).
      await openPanel(user.page, 1);
      await live(user.page);

      // The admin finds the user and views the app as them.
      await admin.page.goto("/admin");
      await admin.page.getByLabel("Email or name").fill(email);
      await admin.page.getByRole("button", { name: "Search" }).click();
      await admin.page.getByRole("link", { name: email }).click();
      await admin.page.waitForURL((u) => u.pathname.startsWith("/admin/users/"));
      await admin.page.getByRole("button", { name: "View as this user (1 hour)" }).click();
      await admin.page.waitForURL((u) => u.pathname === "/settings/security");
      const banner = admin.page.getByRole("region", { name: "Support access" });
      await visible(banner.getByText("You are signed in as Ada Lovelace (support)."));
      await visible(banner.getByText(/(59|60) min left/));
      await visible(banner.getByRole("button", { name: "Stop impersonating" }));
      expect((await axeFindings(admin.page)).filter(isBlocking)).toEqual([]);
      await live(admin.page);

      // The user's open panel lists it at once, by the admin's name.
      const support = deviceRows(user.page).filter({ hasText: "Support (Grace Hopper) signed in as you" });
      await visible(support);
      expect(await user.page.content()).not.toContain(adminEmail);

      // The user signs it out; the admin's tab leaves the account within a second.
      await support.getByRole("button", { name: "Sign out Support (Grace Hopper) signed in as you" }).click();
      const dialog = user.page.getByRole("dialog", { name: "Sign out this device?" });
      const revoked = user.page.waitForResponse((r) => r.url().endsWith("/api/sessions/revoke") && r.request().method() === "POST");
      await dialog.getByRole("button", { name: "Sign out", exact: true }).click();
      expect((await revoked).status()).toBe(200);
      const answered = Date.now();
      await admin.page.waitForURL((u) => u.pathname === "/admin", { timeout: 1_000, waitUntil: "commit" });
      console.info(`[e2e] the admin's tab left the user's account ${Date.now() - answered} ms after the user's sign-out`);
      // Back on the admin's own session: the console, no banner, the audit shows both ends.
      await visible(admin.page.getByRole("heading", { name: "Admin console" }));
      expect(await admin.page.getByRole("region", { name: "Support access" }).count()).toBe(0);
      await visible(admin.page.getByText("impersonation.stop").first());

      // The user reads both in Recent activity.
      await user.page.reload();
      await visible(user.page.getByText("Support (Grace Hopper) signed in as you: ended by you"));
      await visible(user.page.getByText("Support (Grace Hopper) signed in as you", { exact: true }));
      for (const d of [admin, user]) await d.context.close();
    }));
});
