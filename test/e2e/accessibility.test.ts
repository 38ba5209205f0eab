// Accessibility: axe-core finds no serious or critical violation on any page, signed out
// and signed in, with each sign-out dialog open; and the sign-out dialogs work with the
// keyboard alone (Tab to the button, Enter or Space opens, focus inside, Escape cancels
// and nothing is revoked, Enter on the red button revokes, focus lands somewhere sensible).
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeFindings, isBlocking, type Finding } from "./support/axe";
import {
  backdateSignIn,
  count,
  createAccount,
  deviceRows,
  expectSignedOut,
  launchBrowser,
  newDevice,
  openPanel,
  signInWithForm,
  timed,
  UA,
  visible,
} from "./support/harness";
import { LONG_IPV6, LONG_MODEL_UA, SIGNED_IN_PAGES, SIGNED_OUT_PAGES } from "./support/pages";

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

/** Runs axe; logs every finding (so minor ones are visible too) and returns the blocking ones. */
async function blockingFindings(page: Page, what: string): Promise<Finding[]> {
  const findings = await axeFindings(page);
  for (const f of findings) console.info(`[axe] ${what}: ${f.impact} ${f.rule} (${f.help}) at ${f.targets.join(", ")}`);
  return findings.filter(isBlocking);
}

/** What has keyboard focus: its role-ish description, and whether it is inside an open dialog. */
function focused(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return {
      tag: el?.tagName.toLowerCase() ?? null,
      name: el?.getAttribute("aria-label") ?? el?.textContent?.trim() ?? null,
      inDialog: !!el?.closest("dialog[open]"),
    };
  });
}

/** Presses Tab until the focused element is named `name` (at most `limit` presses). */
async function tabTo(page: Page, name: string, limit = 40) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press("Tab");
    if ((await focused(page)).name === name) return;
  }
  throw new Error(`Tab never reached "${name}"`);
}

describe("axe-core: no serious or critical violations", () => {
  it("on every signed-out page", () =>
    timed("axe signed out", async () => {
      const d = await newDevice(browser, "visitor");
      for (const [name, url] of Object.entries(SIGNED_OUT_PAGES)) {
        await d.page.goto(url);
        await visible(d.page.getByRole("heading", { level: 1 }));
        expect(await blockingFindings(d.page, name), name).toEqual([]);
      }
      // The sign-in form showing its errors (aria-invalid, described-by, alert).
      await d.page.goto("/sign-in");
      await d.page.getByRole("button", { name: "Sign in" }).click();
      await visible(d.page.getByText("Enter your email address."));
      expect(await blockingFindings(d.page, "sign-in with errors"), "sign-in with errors").toEqual([]);
      await d.context.close();
    }));

  it("on the signed-in pages, the panel, and each dialog open (including the password step)", () =>
    timed("axe signed in", async () => {
      const a = await newDevice(browser, "A", UA.macChrome);
      const b = await newDevice(browser, "B", LONG_MODEL_UA, { ip: LONG_IPV6 });
      const { email } = await createAccount(a);
      await signInWithForm(b, email);
      for (const [name, url] of Object.entries(SIGNED_IN_PAGES)) {
        await a.page.goto(url);
        await visible(a.page.getByRole("heading", { level: 1 }));
        expect(await blockingFindings(a.page, name), name).toEqual([]);
      }
      await openPanel(a.page, 2);
      // Recent activity is on the same page: checked once it has rows.
      await visible(a.page.getByRole("list", { name: "Recent activity" }).getByRole("listitem"));
      expect(await blockingFindings(a.page, "security"), "security").toEqual([]);

      await a.page.getByRole("button", { name: "Sign out all other devices" }).click();
      await visible(a.page.getByRole("dialog", { name: "Sign out all other devices?" }));
      expect(await blockingFindings(a.page, "sign out all dialog"), "sign out all dialog").toEqual([]);
      await a.page.keyboard.press("Escape");

      // The password step: this sign-in is an hour old as far as the server is concerned.
      const currentId = await deviceRows(a.page).filter({ hasText: "This device" }).getAttribute("data-session-id");
      await backdateSignIn(currentId);
      await deviceRows(a.page).filter({ hasNotText: "This device" }).getByRole("button", { name: /^Sign out/ }).click();
      const one = a.page.getByRole("dialog", { name: "Sign out this device?" });
      await visible(one);
      expect(await blockingFindings(a.page, "sign out one dialog"), "sign out one dialog").toEqual([]);
      await one.getByRole("button", { name: "Sign out", exact: true }).click();
      const password = a.page.getByRole("dialog", { name: "Confirm your password" });
      await visible(password);
      await password.getByRole("button", { name: "Confirm and sign out" }).click();
      await visible(password.getByText("Enter your password."));
      expect(await blockingFindings(a.page, "password dialog with error"), "password dialog with error").toEqual([]);
      for (const d of [a, b]) await d.context.close();
    }));
});

describe("the sign-out dialogs work with the keyboard alone", () => {
  it("one device: Enter opens, Escape cancels with nothing revoked, Space reopens, Enter on Sign out revokes", () =>
    timed("keyboard: one device", async () => {
      const a = await newDevice(browser, "A", UA.macChrome);
      const b = await newDevice(browser, "B", UA.windowsFirefox);
      const { email } = await createAccount(a);
      await signInWithForm(b, email);
      await openPanel(a.page, 2);
      const opener = "Sign out Firefox 133 on Windows";
      const dialog = a.page.getByRole("dialog", { name: "Sign out this device?" });

      await tabTo(a.page, opener);
      await a.page.keyboard.press("Enter");
      await visible(dialog);
      // Focus starts inside the dialog, on the safe choice.
      expect(await focused(a.page)).toMatchObject({ inDialog: true, name: "Cancel" });
      await a.page.keyboard.press("Escape");
      await dialog.waitFor({ state: "hidden" });
      // Back on the button that opened it; nothing was revoked.
      expect(await focused(a.page)).toMatchObject({ inDialog: false, name: opener });
      await count(deviceRows(a.page), 2);
      await b.page.goto("/settings/security");
      expect(new URL(b.page.url()).pathname).toBe("/settings/security");

      await a.page.keyboard.press("Space");
      await visible(dialog);
      expect(await focused(a.page)).toMatchObject({ inDialog: true, name: "Cancel" });
      await a.page.keyboard.press("Tab");
      expect(await focused(a.page)).toMatchObject({ inDialog: true, name: "Sign out" });
      await a.page.keyboard.press("Enter");
      await visible(a.page.getByRole("status").getByText("Signed out 1 device: Firefox 133 on Windows."));
      await dialog.waitFor({ state: "hidden" });
      await count(deviceRows(a.page), 1);
      // The row (and its button) is gone: focus goes to the panel's heading, next to the notice.
      expect(await focused(a.page)).toMatchObject({ tag: "h2", name: "Active devices" });
      await expectSignedOut(b);
      for (const d of [a, b]) await d.context.close();
    }));

  it("all other devices: Space opens, Escape cancels, Enter opens again, Enter on the red button revokes", () =>
    timed("keyboard: all others", async () => {
      const a = await newDevice(browser, "A", UA.macChrome);
      const b = await newDevice(browser, "B", UA.windowsFirefox);
      const c = await newDevice(browser, "C", UA.iphoneSafari);
      const { email } = await createAccount(a);
      await signInWithForm(b, email);
      await signInWithForm(c, email);
      await openPanel(a.page, 3);
      const opener = "Sign out all other devices";
      const dialog = a.page.getByRole("dialog", { name: "Sign out all other devices?" });

      await tabTo(a.page, opener);
      await a.page.keyboard.press("Space");
      await visible(dialog);
      expect(await focused(a.page)).toMatchObject({ inDialog: true, name: "Cancel" });
      await a.page.keyboard.press("Escape");
      await dialog.waitFor({ state: "hidden" });
      expect(await focused(a.page)).toMatchObject({ inDialog: false, name: opener });
      await count(deviceRows(a.page), 3);
      await b.page.goto("/settings/security");
      expect(new URL(b.page.url()).pathname).toBe("/settings/security");

      await a.page.keyboard.press("Enter");
      await visible(dialog);
      await a.page.keyboard.press("Tab");
      expect(await focused(a.page)).toMatchObject({ inDialog: true, name: "Sign out 2 devices" });
      await a.page.keyboard.press("Enter");
      await visible(a.page.getByRole("status").getByText("Signed out 2 other devices."));
      await count(deviceRows(a.page), 1);
      expect(await focused(a.page)).toMatchObject({ tag: "h2", name: "Active devices" });
      await expectSignedOut(b);
      await expectSignedOut(c);
      for (const d of [a, b, c]) await d.context.close();
    }));
});
