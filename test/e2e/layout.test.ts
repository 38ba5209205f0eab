// Every page at 320, 390, 768 and 1280 px: nothing overflows horizontally, nothing is cut
// off, no phrase collapses into a one-word column. The Active devices panel is shown with
// several devices, one of them with a long IPv6 address and a long device label.
// Screenshots: E2E_UPDATE_SCREENSHOTS=1 writes the panel and sign-in to docs/screenshots/
// (committed); otherwise every page goes to the run's temp directory.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount, env, launchBrowser, newDevice, openPanel, signInWithForm, timed, UA, uniqueEmail, visible, type Device } from "./support/harness";
import { layoutProblems, WIDTHS } from "./support/layout";
import { LONG_IPV6, LONG_LABEL, LONG_MODEL_UA, SHOWN_IPV6, SIGNED_IN_PAGES, SIGNED_OUT_PAGES } from "./support/pages";

const COMMITTED = new Set(["active-devices", "sign-in"]);
const TEMP_SHOTS = path.join(path.dirname(env.outboxDir), "screenshots");
const DOC_SHOTS = path.resolve(import.meta.dirname, "../../docs/screenshots");

let browser: Browser;
let visitor: Device;
let owner: Device;
const others: Device[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  visitor = await newDevice(browser, "visitor");
  // Public addresses, so the panel shows locations (the shipped country database):
  // South Africa, the United States, the United Kingdom; the IPv6 one has none.
  owner = await newDevice(browser, "owner", UA.macChrome, { ip: "196.25.1.1" });
  // A long address: the page header shows it ("Signed in as … (email)").
  const { email } = await createAccount(owner, uniqueEmail("a-rather-long-mailbox-name-to-wrap"));
  for (const [name, ua, ip] of [
    ["long", LONG_MODEL_UA, LONG_IPV6],
    ["firefox", UA.windowsFirefox, "8.8.8.8"],
    ["iphone", UA.iphoneSafari, "81.2.69.142"],
  ] as const) {
    const d = await newDevice(browser, name, ua, { ip });
    await signInWithForm(d, email);
    others.push(d);
  }
});

afterAll(async () => {
  for (const d of [visitor, owner, ...others]) await d?.context.close();
  await browser?.close();
});

/** The whole page, or only `part` of it (the committed panel shots show just the panel, to stay small). */
async function screenshot(page: Page, name: string, width: number, part?: Locator) {
  const dir = process.env.E2E_UPDATE_SCREENSHOTS && COMMITTED.has(name) ? DOC_SHOTS : TEMP_SHOTS;
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}-${width}.png`);
  if (part) await part.screenshot({ path: file, animations: "disabled" });
  else await page.screenshot({ path: file, fullPage: true, animations: "disabled" });
}

async function expectHolds(page: Page, what: string) {
  const problems = await layoutProblems(page);
  expect(problems, `${what} at ${page.viewportSize()?.width} px`).toEqual([]);
}

describe("every page holds at 320, 390, 768 and 1280 px", () => {
  for (const width of WIDTHS) {
    it(`signed-out pages at ${width} px`, () =>
      timed(`signed-out pages at ${width}`, async () => {
        const { page } = visitor;
        await page.setViewportSize({ width, height: 900 });
        for (const [name, url] of Object.entries(SIGNED_OUT_PAGES)) {
          await page.goto(url);
          await visible(page.getByRole("heading", { level: 1 }));
          await expectHolds(page, name);
          await screenshot(page, name, width);
        }
      }));

    it(`the Active devices panel at ${width} px, with its dialogs open, and the signed-in pages`, () =>
      timed(`panel at ${width}`, async () => {
        const { page } = owner;
        await page.setViewportSize({ width, height: 900 });
        await openPanel(page, 4);
        await visible(page.getByText(SHOWN_IPV6));
        await visible(page.getByText(LONG_LABEL));
        for (const place of ["South Africa", "United States", "United Kingdom", "Unknown location"]) await visible(page.getByText(place, { exact: true }));
        // Relative times render after mount: wait for them, they are what wraps.
        await expect.poll(() => page.locator("time").first().innerText()).toMatch(/now|ago/);
        // Recent activity, below the panel, with its longest rows (the long label and IPv6).
        await visible(page.getByRole("list", { name: "Recent activity" }).getByText(SHOWN_IPV6));
        await expectHolds(page, "active devices");
        await screenshot(page, "security", width);
        // The panel's card (the region's parent), padding included.
        await screenshot(page, "active-devices", width, page.getByRole("region", { name: "Active devices" }).locator("xpath=.."));

        await page.getByRole("button", { name: `Sign out ${LONG_LABEL}` }).click();
        const one = page.getByRole("dialog", { name: "Sign out this device?" });
        await visible(one);
        await expectHolds(page, "sign out one dialog");
        await page.keyboard.press("Escape");
        await one.waitFor({ state: "hidden" });

        await page.getByRole("button", { name: "Sign out all other devices" }).click();
        const all = page.getByRole("dialog", { name: "Sign out all other devices?" });
        await visible(all);
        await expectHolds(page, "sign out all dialog");
        await page.keyboard.press("Escape");
        await all.waitFor({ state: "hidden" });

        for (const [name, url] of Object.entries(SIGNED_IN_PAGES)) {
          await page.goto(url);
          await visible(page.getByRole("heading", { level: 1 }));
          await expectHolds(page, name);
          await screenshot(page, name, width);
        }
      }));
  }
});
