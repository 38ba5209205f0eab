// "This wasn't me" in Chromium: A owns the account, B signs in from a new device, the
// alert email's link is opened in a third browser that is not signed in. Opening the link
// changes nothing; confirming signs B out (its open tab leaves on its own, its next request
// is refused); A's Recent activity lists what happened, newest first.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeFindings, isBlocking } from "./support/axe";
import { createAccount, emailsTo, expectSignedOut, launchBrowser, newDevice, signInWithForm, timed, UA, visible, waitForEmail } from "./support/harness";
import { layoutProblems, WIDTHS } from "./support/layout";

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

/** The page holds at every width (layout.test.ts's check) and axe finds nothing blocking. */
async function holdsEverywhere(page: Page, what: string) {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    expect(await layoutProblems(page), `${what} at ${width}`).toEqual([]);
  }
  expect((await axeFindings(page)).filter(isBlocking), what).toEqual([]);
}

function activityRows(page: Page) {
  return page.getByRole("list", { name: "Recent activity" }).getByRole("listitem");
}

/** A has an account; B (Firefox on Windows) signs in to it, so A's address gets the
 *  new-sign-in email; C is a browser that is not signed in, where that email is read. */
async function strangerSignsIn() {
  const a = await newDevice(browser, "A", UA.macChrome);
  const b = await newDevice(browser, "B", UA.windowsFirefox);
  const c = await newDevice(browser, "C (mail reader)", UA.iphoneSafari);
  const { email } = await createAccount(a);
  await signInWithForm(b, email);
  return { a, b, c, email };
}

describe("the new-sign-in email's 'This wasn't me' link", () => {
  it("signs that device out from a browser that is not signed in; Recent activity lists it in order", () =>
    timed("report sign-in", async () => {
      const { a, b, c, email } = await strangerSignsIn();
      await live(b.page);

      const mail = await waitForEmail(email, "new-sign-in");
      const link = new URL(mail.link);
      expect(link.pathname).toBe("/report-sign-in");

      // Opening the link (as a mail scanner would, twice) changes nothing.
      for (let i = 0; i < 2; i++) {
        await c.page.goto(mail.link);
        await visible(c.page.getByRole("heading", { name: "Wasn't you?" }));
      }
      await visible(c.page.getByText("Firefox 133 on Windows"));
      expect(await b.page.evaluate(async () => (await fetch("/api/sessions")).status)).toBe(200);

      await c.page.getByRole("button", { name: "Sign out Firefox 133 on Windows" }).click();
      await visible(c.page.getByRole("status").getByText("That device is signed out"));
      await visible(c.page.getByRole("link", { name: "Reset your password" }));
      await visible(c.page.getByRole("button", { name: "Sign out everywhere" }));

      // B's open tab leaves by itself, and its next request is refused.
      await expectSignedOut(b);

      // The link is single use.
      await c.page.goto(mail.link);
      await visible(c.page.getByRole("heading", { name: "This link was already used" }));
      expect(await emailsTo(email, "new-sign-in")).toHaveLength(1);

      // A is still signed in; its Recent activity tells the story, newest first.
      await a.page.goto("/settings/security");
      const rows = activityRows(a.page);
      await expect
        .poll(async () => (await rows.allInnerTexts()).map((t) => t.split("\n")[0]), { timeout: 10_000 })
        .toEqual([
          "Check Signed out Firefox 133 on Windows: reported as “this wasn't me” from the email",
          "Emailed you about a new sign-in from Firefox 133 on Windows",
          "Signed in with password from Firefox 133 on Windows",
          "Signed in with email verification link from Chrome 131 on macOS (this device)",
          "Email address verified",
        ]);
      await visible(rows.first().getByText(b.ip));
      for (const d of [a, b, c]) await d.context.close();
    }));

  it("the page holds at 320 to 1280 px and passes axe: confirmation, answer, link used", () =>
    timed("report sign-in: layout and axe", async () => {
      const { a, b, c, email } = await strangerSignsIn();
      const mail = await waitForEmail(email, "new-sign-in");
      await c.page.goto(mail.link);
      await visible(c.page.getByRole("heading", { name: "Wasn't you?" }));
      await holdsEverywhere(c.page, "report page");
      await c.page.getByRole("button", { name: "Sign out Firefox 133 on Windows" }).click();
      await visible(c.page.getByRole("button", { name: "Sign out everywhere" }));
      await holdsEverywhere(c.page, "report page, device signed out");
      await c.page.goto(mail.link);
      await visible(c.page.getByRole("heading", { name: "This link was already used" }));
      await holdsEverywhere(c.page, "report page, link used");
      for (const d of [a, b, c]) await d.context.close();
    }));

  it("'Sign out everywhere' after the report ends every session, A's included", () =>
    timed("report sign-in: everywhere", async () => {
      const { a, b, c, email } = await strangerSignsIn();
      const mail = await waitForEmail(email, "new-sign-in");
      await c.page.goto(mail.link);
      await c.page.getByRole("button", { name: "Sign out Firefox 133 on Windows" }).click();
      await c.page.getByRole("button", { name: "Sign out everywhere" }).click();
      await visible(c.page.getByRole("status").getByText("Signed out everywhere"));
      await expectSignedOut(a);
      await expectSignedOut(b);
      for (const d of [a, b, c]) await d.context.close();
    }));
});
