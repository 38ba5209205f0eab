// Two-factor authentication as a person uses it, in Chromium, with a real TOTP generator
// playing the authenticator app: turn it on from the secret shown, sign in on another
// device with the second step (trusting it), come back without the second step, and sign
// in on a third device with a backup code after that device was refused the second's code.
import * as OTPAuth from "otpauth";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { createAccount, deviceRows, env, launchBrowser, newDevice, openPanel, PASSWORD, sql, timed, UA, visible, waitForEmail } from "./support/harness";

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

async function passwordStep(page: Page, email: string) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
}

describe("two-factor authentication", () => {
  it("turn on with the secret, sign in with the second step, trust the device, and use a backup code", () =>
    timed("two-factor", async () => {
      const a = await newDevice(browser, "A", UA.macChrome);
      const { email } = await createAccount(a);

      // Turn it on: password, then the secret goes into the "app", whose code confirms it.
      await a.page.goto("/settings/security");
      await a.page.getByRole("button", { name: "Turn on two-factor" }).click();
      await a.page.getByLabel("Your password").fill(PASSWORD);
      await a.page.getByRole("button", { name: "Continue" }).click();
      const secret = (await a.page.getByTestId("totp-secret").innerText()).trim();
      expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
      const app = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) });
      const codes = await a.page.getByRole("list", { name: "Backup codes" }).getByRole("listitem").allInnerTexts();
      expect(codes.length).toBeGreaterThanOrEqual(8);
      expect(await a.page.getByRole("link", { name: "Download backup codes" }).getAttribute("download")).toBe("revocable-backup-codes.txt");
      await a.page.getByLabel("Code from the app").fill(app.generate());
      const answers: string[] = [];
      a.page.on("response", (r) => void (r.url().includes("/api/") && answers.push(`${r.status()} ${new URL(r.url()).pathname}`)));
      a.page.on("framenavigated", (f) => void (f === a.page.mainFrame() && answers.push(`navigated ${f.url()}`)));
      await a.page.getByRole("button", { name: "Turn on two-factor" }).click();
      await visible(a.page.getByText("Two-factor authentication is on.")).catch(async (err: unknown) => {
        // What the tab did, for a failure that only a loaded machine shows.
        console.info(`[e2e] two-factor tab at ${a.page.url()}:\n${answers.join("\n")}\n${(await a.page.locator("main").innerText().catch(() => "")).slice(0, 800)}`);
        throw err;
      });
      await visible(a.page.getByTestId("two-factor-status").getByText(/^On:/));
      await waitForEmail(email, "second-factor-changed");

      // Another device: the password alone does not sign in; the code does.
      const b = await newDevice(browser, "B", UA.windowsFirefox);
      await passwordStep(b.page, email);
      await visible(b.page.getByRole("heading", { name: "Two-factor authentication" }));
      expect(new URL(b.page.url()).pathname).toBe("/sign-in");
      await b.page.getByLabel("Authentication code").fill("000000" === app.generate() ? "111111" : "000000");
      await b.page.getByRole("button", { name: "Verify" }).click();
      await visible(b.page.getByText("That code is not correct."));
      const bCode = app.generate({ timestamp: Date.now() + 30_000 });
      await b.page.getByLabel("Authentication code").fill(bCode);
      await b.page.getByLabel("Trust this device for 30 days").check();
      await b.page.getByRole("button", { name: "Verify" }).click();
      await b.page.waitForURL((u) => u.pathname === "/settings/security");
      await openPanel(b.page, 2);
      await visible(deviceRows(b.page).filter({ hasText: "This device" }).getByText("password and authenticator app"));

      // Trusted: after signing out, the password alone signs this device in.
      await b.page.getByRole("button", { name: "Sign out" }).first().click();
      await b.page.waitForURL((u) => u.pathname === "/sign-in");
      await passwordStep(b.page, email);
      await b.page.waitForURL((u) => u.pathname === "/settings/security");

      // A third device with a backup code; the use shows in Recent activity.
      const c = await newDevice(browser, "C", UA.androidChrome);
      await passwordStep(c.page, email);
      // B's code, still inside its window: a code signs in once.
      await c.page.getByLabel("Authentication code").fill(bCode);
      await c.page.getByRole("button", { name: "Verify" }).click();
      await visible(c.page.getByText("That code was already used."));
      await c.page.getByRole("button", { name: "Use a backup code instead" }).click();
      await c.page.getByLabel("Backup code").fill(codes[0]!);
      await c.page.getByRole("button", { name: "Verify" }).click();
      await c.page.waitForURL((u) => u.pathname === "/settings/security");
      await visible(c.page.getByRole("list", { name: "Recent activity" }).getByText(/A backup code was used to sign in/));
      await visible(c.page.getByRole("list", { name: "Recent activity" }).getByText(/with password and backup code/).first());
    }));
  it("a slow answer to the confirming code does not sign the tab out: a list reload sent with the old cookie is asked again", () =>
    timed("slow two-factor confirm", async () => {
      const a = await newDevice(browser, "A", UA.macChrome);
      const { email } = await createAccount(a);
      await a.page.goto("/settings/security");
      await openPanel(a.page, 1);
      await a.page.waitForFunction(() => document.body.dataset.liveSession === "open", undefined, { timeout: 15_000 });
      await a.page.getByRole("button", { name: "Turn on two-factor" }).click();
      await a.page.getByLabel("Your password").fill(PASSWORD);
      await a.page.getByRole("button", { name: "Continue" }).click();
      const secret = (await a.page.getByTestId("totp-secret").innerText()).trim();
      const app = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) });

      // The confirm re-issues the session (new one, cookie, old one deleted), then marks the
      // secret verified and answers. Holding the two_factor row keeps that answer waiting,
      // as a busy server would, after the old session has already ended.
      const [user] = await sql<{ id: string }>('SELECT id FROM "user" WHERE email = $1', [email]);
      const holder = new pg.Client({ connectionString: env.databaseUrl });
      await holder.connect();
      try {
        await holder.query("BEGIN");
        await holder.query("SELECT id FROM two_factor WHERE user_id = $1 FOR UPDATE", [user!.id]);
        await a.page.getByLabel("Code from the app").fill(app.generate());
        await a.page.getByRole("button", { name: "Turn on two-factor" }).click();
        // The old session has ended (its cookie, still the tab's, is refused) ...
        await expect.poll(async () => (await a.context.request.get("/api/sessions")).status(), { timeout: 15_000 }).toBe(401);
        // ... and the list reloads with it, as the new session's `sessions.changed` makes it do.
        await a.page.evaluate(() => window.dispatchEvent(new Event("revocable:sessions-changed")));
        await a.page.waitForTimeout(3_000);
        expect(new URL(a.page.url()).pathname).toBe("/settings/security");
        await holder.query("COMMIT");
      } finally {
        await holder.end();
      }
      await visible(a.page.getByText("Two-factor authentication is on."));
      await visible(a.page.getByTestId("two-factor-status").getByText(/^On:/));
      await a.page.waitForTimeout(2_000);
      expect(new URL(a.page.url()).pathname).toBe("/settings/security");
      await openPanel(a.page, 1);
      await a.context.close();
    }));
});
