// Live sign-out in Chromium: open tabs leave the account within 2 s of the session
// ending elsewhere, with no click and no navigation of their own, and the Active devices
// panel shows a new sign-in without a reload.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { count, createAccount, deviceRows, launchBrowser, newDevice, openPanel, signInWithForm, timed, UA, visible } from "./support/harness";

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

/** The page holds its event stream (set by components/live-session.tsx on open). */
async function live(page: Page) {
  await page.waitForFunction(() => document.body.dataset.liveSession === "open", undefined, { timeout: 15_000 });
}

/** Within `ms`, the untouched page is on sign-in and nothing of the account is left on it. */
async function leftAccount(page: Page, email: string, reason: string | null, ms = 2_000) {
  await page.waitForURL((u) => u.pathname === "/sign-in", { timeout: ms });
  expect(new URL(page.url()).searchParams.get("reason")).toBe(reason);
  await visible(page.getByRole("button", { name: "Sign in" }));
  expect(await page.content()).not.toContain(email);
}

describe("live sign-out", () => {
  it("A signs B out: B's untouched tab leaves the account within 2 s", () =>
    timed("live: revoke one device", async () => {
      const a = await newDevice(browser, "A", UA.macChrome);
      const b = await newDevice(browser, "B", UA.windowsFirefox);
      const { email } = await createAccount(a);
      await signInWithForm(b, email);
      await live(b.page);
      await visible(b.page.getByText(email));

      await openPanel(a.page, 2);
      const other = deviceRows(a.page).filter({ hasText: "Firefox 133 on Windows" });
      await other.getByRole("button", { name: "Sign out Firefox 133 on Windows" }).click();
      await a.page.getByRole("dialog", { name: "Sign out this device?" }).getByRole("button", { name: "Sign out", exact: true }).click();
      await visible(a.page.getByRole("status").getByText("Signed out 1 device: Firefox 133 on Windows."));
      const started = Date.now();
      await leftAccount(b.page, email, "signed-out");
      console.info(`[e2e] B left the account ${Date.now() - started} ms after A's answer`);
      await visible(b.page.getByText("You were signed out on this device"));
      for (const d of [a, b]) await d.context.close();
    }));

  it("signing out in one tab signs out the browser's other tab", () =>
    timed("live: sign-out across tabs", async () => {
      const a = await newDevice(browser, "A", UA.macChrome);
      const { email } = await createAccount(a);
      await a.page.goto("/settings/security");
      const second = await a.context.newPage();
      await second.goto("/settings/security");
      await live(a.page);
      await live(second);
      await visible(second.getByText(email));

      await a.page.getByRole("button", { name: "Sign out", exact: true }).click();
      await a.page.waitForURL((u) => u.pathname === "/sign-in");
      await leftAccount(second, email, null);
      await a.context.close();
    }));

  it("A's panel shows C's new sign-in without a reload", () =>
    timed("live: new sign-in appears", async () => {
      const a = await newDevice(browser, "A", UA.macChrome);
      const c = await newDevice(browser, "C", UA.iphoneSafari);
      const { email } = await createAccount(a);
      await openPanel(a.page, 1);
      await live(a.page);
      await a.page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));

      await signInWithForm(c, email);
      await count(deviceRows(a.page), 2, 2_000);
      await visible(deviceRows(a.page).filter({ hasText: "Safari on iPhone" }));
      // Same document: no reload happened.
      expect(await a.page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
      for (const d of [a, c]) await d.context.close();
    }));
});
