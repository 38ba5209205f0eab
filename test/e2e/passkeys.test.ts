// Passkeys as a person uses them, in Chromium with a virtual authenticator (the DevTools
// protocol's WebAuthn domain: a platform authenticator with resident keys that verifies the
// user): add one in Security settings and name it, sign out, sign in with "Continue with a
// passkey", see Active devices say how this device signed in, and remove the passkey.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount, deviceRows, launchBrowser, newDevice, openPanel, timed, visible, waitForEmail } from "./support/harness";

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

describe("passkeys", () => {
  it("add a named passkey, sign in with it, see it in Active devices, remove it", () =>
    timed("passkeys", async () => {
      const a = await newDevice(browser, "A");
      const { page } = a;
      const cdp = await a.context.newCDPSession(page);
      await cdp.send("WebAuthn.enable", { enableUI: false });
      const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
        options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
      });

      const { email } = await createAccount(a);
      await openPanel(page, 1);

      // Add one, named.
      const passkeys = page.getByRole("region", { name: "Passkeys" }).or(page.locator("section[aria-labelledby='passkeys-title']"));
      await visible(passkeys.getByText("No passkeys yet."));
      await passkeys.getByRole("button", { name: "Add a passkey" }).click();
      await passkeys.getByRole("button", { name: "Create passkey" }).click();
      await visible(passkeys.getByText("Enter a name, like “Work laptop”."));
      await passkeys.getByLabel("Passkey name").fill("E2E laptop");
      await passkeys.getByRole("button", { name: "Create passkey" }).click();
      await visible(passkeys.getByRole("status").getByText("Passkey “E2E laptop” added."));
      await visible(page.getByRole("list", { name: "Your passkeys" }).getByText("E2E laptop"));
      const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
      expect(credentials).toHaveLength(1);
      expect(credentials[0]!.isResidentCredential).toBe(true);
      expect((await waitForEmail(email, "second-factor-changed")).subject).toBe("A passkey was added to your account");

      // Sign out, then back in with the passkey: no email or password typed.
      await page.getByRole("button", { name: "Sign out", exact: true }).click();
      await page.waitForURL((u) => u.pathname === "/sign-in");
      await page.getByRole("button", { name: "Continue with a passkey" }).click();
      await page.waitForURL((u) => u.pathname === "/settings/security");
      await openPanel(page, 1);
      const thisDevice = deviceRows(page).filter({ hasText: "This device" });
      await visible(thisDevice.getByText("passkey", { exact: true }));

      // Remove it (this sign-in is fresh), confirming in the dialog.
      await page.getByRole("button", { name: "Remove E2E laptop" }).click();
      const dialog = page.getByRole("dialog", { name: "Remove this passkey?" });
      await dialog.getByRole("button", { name: "Remove passkey" }).click();
      await visible(passkeys.getByRole("status").getByText("Passkey “E2E laptop” removed."));
      await visible(passkeys.getByText("No passkeys yet."));

      // The authenticator still holds the credential, but the server no longer knows it.
      await page.getByRole("button", { name: "Sign out", exact: true }).click();
      await page.waitForURL((u) => u.pathname === "/sign-in");
      await page.getByRole("button", { name: "Continue with a passkey" }).click();
      await visible(page.getByRole("alert").getByText("That passkey is not registered with Revocable"));
      await a.context.close();
    }));
});
