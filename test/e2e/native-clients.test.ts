// Apps and scripts, not only browsers, end to end against the real server: the repository's
// CLI signs in with a device code approved in Chromium, shows up in Active devices as the
// tool it is, and is refused with a clear message once signed out from the panel; a native
// app's bearer session is listed as declared and learns of its end on the events stream.
import { spawn } from "node:child_process";
import { mkdtempSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount, deviceRows, env, launchBrowser, newDevice, openPanel, PASSWORD, timed, visible } from "./support/harness";

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

interface Cli {
  exit: Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Resolves with the first stdout line matching `pattern`. */
  line(pattern: RegExp): Promise<RegExpMatchArray>;
}

function cli(configDir: string, ...args: string[]): Cli {
  const child = spawn(path.join("node_modules", ".bin", "tsx"), ["scripts/cli.ts", ...args], {
    env: { ...process.env, REVOCABLE_URL: env.baseURL, REVOCABLE_CONFIG_DIR: configDir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const waiters: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
    for (const w of [...waiters]) {
      const m = stdout.match(w.pattern);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
  return {
    exit,
    line: (pattern) => {
      const m = stdout.match(pattern);
      return m ? Promise.resolve(m) : new Promise((resolve) => waiters.push({ pattern, resolve }));
    },
  };
}

describe("the command-line client", () => {
  it("logs in with a code approved in Chromium, is listed and signed out from the panel, and then refused clearly", () =>
    timed("cli device flow", async () => {
      const a = await newDevice(browser, "A");
      const { email } = await createAccount(a);
      const config = mkdtempSync(path.join(os.tmpdir(), "revocable-cli-"));

      const login = cli(config, "login");
      const [, url] = await login.line(/\(or open (\S+)\)/);
      const code = (await login.line(/enter the code (\S+)/))[1]!;
      expect(new URL(url!).pathname).toBe("/device");

      // The approval page names the client and where the request comes from.
      await a.page.goto(url!);
      await visible(a.page.getByRole("heading", { name: "Approve a device?" }));
      await visible(a.page.getByText("Revocable CLI").first());
      await visible(a.page.getByText(code));
      await visible(a.page.getByText(/is asking to sign in to your account from (127\.0\.0\.1|::1)/));
      await a.page.getByRole("button", { name: "Approve Revocable CLI" }).click();
      await visible(a.page.getByRole("status").getByText("Revocable CLI is signed in"));

      const done = await login.exit;
      expect(done.code, done.stderr).toBe(0);
      expect(done.stdout).toContain(`Signed in as ${email}`);
      // The token is the user's alone to read.
      expect(statSync(path.join(config, "token")).mode & 0o777).toBe(0o600);
      const whoami = await cli(config, "whoami").exit;
      expect(whoami.code, whoami.stderr).toBe(0);
      expect(whoami.stdout).toContain(email);
      const sessions = await cli(config, "sessions").exit;
      expect(sessions.stdout).toMatch(/^\* Revocable CLI \(declared\)/m);

      // Active devices lists the tool as itself, marked declared, and signs it out.
      await openPanel(a.page, 2);
      const row = deviceRows(a.page).filter({ hasText: "Revocable CLI" });
      await visible(row.getByText("declared", { exact: true }));
      await visible(row.getByText("a code approved in the browser"));
      await row.getByRole("button", { name: "Sign out Revocable CLI" }).click();
      const dialog = a.page.getByRole("dialog", { name: "Sign out this device?" });
      await dialog.getByRole("button", { name: "Sign out", exact: true }).click();
      await visible(a.page.getByRole("status").getByText("Signed out 1 device: Revocable CLI."));

      const refused = await cli(config, "whoami").exit;
      expect(refused.code).toBe(3);
      expect(refused.stderr).toContain("Your session has ended");
      await a.context.close();
    }));
});

describe("a native app", () => {
  it("is listed as the app it declared and hears of its end on the events stream", () =>
    timed("native app bearer session", async () => {
      const a = await newDevice(browser, "A");
      const { email } = await createAccount(a);
      const signIn = await fetch(`${env.baseURL}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-client-name": "Revocable", "x-client-platform": "iOS" },
        body: JSON.stringify({ email, password: PASSWORD }),
      });
      expect(signIn.status).toBe(200);
      const { token } = (await signIn.json()) as { token: string };
      const bearer = { authorization: `Bearer ${token}` };

      const events = await fetch(`${env.baseURL}/api/sessions/events`, { headers: bearer });
      expect(events.status).toBe(200);
      const reader = events.body!.getReader();
      let received = "";
      const ended = (async () => {
        const decoder = new TextDecoder();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return received;
          received += decoder.decode(value, { stream: true });
          if (received.includes("event: session.ended")) return received;
        }
      })();

      await openPanel(a.page, 2);
      const row = deviceRows(a.page).filter({ hasText: "Revocable for iOS" });
      await visible(row.getByText("declared", { exact: true }));
      await row.getByRole("button", { name: "Sign out Revocable for iOS" }).click();
      await a.page.getByRole("dialog", { name: "Sign out this device?" }).getByRole("button", { name: "Sign out", exact: true }).click();

      expect(await ended).toContain("event: session.ended");
      await reader.cancel();
      const after = await fetch(`${env.baseURL}/api/sessions`, { headers: bearer });
      expect(after.status).toBe(401);
      await a.context.close();
    }));
});
