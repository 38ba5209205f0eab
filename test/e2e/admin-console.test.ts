// The operator's console in Chromium: an account becomes admin only by the operator command;
// the admin finds a user, sees their devices, suspends them, and the user's open tab leaves
// within a second; the user reads why when signing in; lifting the suspension lets them in.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeFindings, isBlocking } from "./support/axe";
import { count, createAccount, env, launchBrowser, newDevice, PASSWORD, signInWithForm, timed, UA, visible } from "./support/harness";

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

const run = promisify(execFile);

/** `npm run users:role -- <email> admin`, against this run's database. */
async function promote(email: string): Promise<string> {
  const { stdout } = await run("npm", ["run", "-s", "users:role", "--", email, "admin"], {
    cwd: path.resolve(import.meta.dirname, "../.."),
    env: env.appEnv as NodeJS.ProcessEnv,
  });
  return stdout;
}

async function live(page: Page) {
  await page.waitForFunction(() => document.body.dataset.liveSession === "open", undefined, { timeout: 15_000 });
}

describe("admin console", () => {
  it("promote by the command, suspend a signed-in user (their tab leaves within a second), lift it", () =>
    timed("admin: promote, ban, unban", async () => {
      const admin = await newDevice(browser, "admin", UA.macChrome);
      const user = await newDevice(browser, "user", UA.windowsFirefox);
      const { email: adminEmail } = await createAccount(admin, undefined, undefined, "Grace Hopper");
      const { email } = await createAccount(user);

      // Not an admin yet: the console does not exist for this account.
      await admin.page.goto("/admin");
      await visible(admin.page.getByRole("heading", { name: "Page not found" }));
      expect(await promote(adminEmail)).toContain(`${adminEmail} is now admin`);

      await admin.page.goto("/admin");
      await admin.page.getByLabel("Email or name").fill(email);
      await admin.page.getByRole("button", { name: "Search" }).click();
      await admin.page.getByRole("link", { name: email }).click();
      await admin.page.waitForURL((u) => u.pathname.startsWith("/admin/users/"));
      const devices = admin.page.getByRole("list", { name: "Active devices" }).getByRole("listitem");
      await count(devices, 1);
      await visible(devices.getByText("Firefox 133 on Windows"));
      await visible(devices.getByText(user.ip));
      expect((await axeFindings(admin.page)).filter(isBlocking)).toEqual([]);

      await user.page.goto("/settings/security");
      await live(user.page);
      await admin.page.getByLabel("Reason (shown to the user)").fill("Payment dispute");
      const banned = admin.page.waitForResponse((r) => r.url().endsWith("/ban") && r.request().method() === "POST");
      await admin.page.getByRole("button", { name: "Suspend account" }).click();
      expect((await banned).status()).toBe(200);
      const answered = Date.now();
      // "commit": the moment the tab has left (the sign-in page then loads as usual).
      await user.page.waitForURL((u) => u.pathname === "/sign-in", { timeout: 1_000, waitUntil: "commit" });
      console.info(`[e2e] the banned user's tab was gone ${Date.now() - answered} ms after the ban's answer`);
      await visible(admin.page.getByTestId("ban-status").getByText("Suspended: Payment dispute"));
      await visible(user.page.getByRole("button", { name: "Sign in" }));
      expect(await user.page.content()).not.toContain(email);

      // Every way in refuses, and says why.
      await user.page.getByLabel("Email").fill(email);
      await user.page.getByLabel("Password").fill(PASSWORD);
      await user.page.getByRole("button", { name: "Sign in" }).click();
      await visible(user.page.getByRole("alert").getByText(/suspended.*Payment dispute/));

      // The audit shows the action; lifting the suspension lets the user sign in again.
      await visible(admin.page.getByRole("list", { name: "Audit entries" }).getByText("user.ban"));
      await admin.page.getByRole("button", { name: "Lift suspension" }).click();
      await visible(admin.page.getByTestId("ban-status").getByText("Active"));
      await signInWithForm(user, email);
      await visible(user.page.getByText("Support suspended this account"));
      for (const d of [admin, user]) await d.context.close();
    }));
});
