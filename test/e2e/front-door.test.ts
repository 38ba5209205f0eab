// The front door in a real browser: the hostile `next` lands on the app, and no page
// reports a Content-Security-Policy violation (signed out and signed in).
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount, env, launchBrowser, newDevice, PASSWORD, timed, visible } from "./support/harness";

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

const APP = new URL(env.baseURL).origin;
// `/\t/evil.example/pwn`: Chromium drops the tab and reads `//evil.example/pwn`.
const HOSTILE_NEXT = "%2F%09%2Fevil.example%2Fpwn";

/** Records every CSP violation and console error of the page, on every page it loads. */
async function watchPolicy(page: Page) {
  const problems: string[] = [];
  await page.exposeFunction("__reportViolation", (line: string) => void problems.push(line));
  // Registered before the page's first script, on every document.
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      const report = (window as unknown as { __reportViolation: (l: string) => void }).__reportViolation;
      report(`${location.pathname}: ${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    // Two 404s are expected, both of the browser's own making: the deliberate visit to a
    // missing page, and Chromium's automatic /favicon.ico (the app has none).
    const failed = m.location().url;
    if (/status of 404/.test(m.text()) && (failed.endsWith("/no-such-page") || failed.endsWith("/favicon.ico"))) return;
    problems.push(`console on ${page.url()}: ${m.text()} (${failed})`);
  });
  page.on("pageerror", (err) => problems.push(`pageerror on ${page.url()}: ${err.message}`));
  page.on("response", (r) => {
    if (r.status() >= 400 && !r.url().endsWith("/no-such-page")) problems.push(`${r.status()} for ${r.url()} on ${page.url()}`);
  });
  return problems;
}

describe("open redirect after sign-in", () => {
  it("a hostile next (/\\t/evil.example) lands on the app, from the sign-in form and from the verified page", () =>
    timed("hostile next → app", async () => {
      const a = await newDevice(browser, "A");
      const offsite: string[] = [];
      await a.context.route((url) => url.hostname.endsWith("evil.example"), async (route) => {
        offsite.push(route.request().url());
        await route.abort();
      });
      const { email } = await createAccount(a);

      // Signed in: the verified page's "Continue" link stays on the app.
      await a.page.goto(`/verify-email?next=${HOSTILE_NEXT}`);
      const href = await a.page.getByRole("link", { name: "Continue" }).getAttribute("href");
      expect(new URL(href!, APP).origin).toBe(APP);

      // Signed out: the sign-in form's redirect stays on the app.
      await a.context.clearCookies();
      await a.page.goto(`/sign-in?next=${HOSTILE_NEXT}`);
      await a.page.getByLabel("Email").fill(email);
      await a.page.getByLabel("Password").fill(PASSWORD);
      await a.page.getByRole("button", { name: "Sign in" }).click();
      await a.page.waitForURL((u) => u.pathname === "/settings/security");
      expect(new URL(a.page.url()).origin).toBe(APP);
      expect(offsite).toEqual([]);
      await a.context.close();
    }));
});

describe("Content-Security-Policy", () => {
  it("every page carries a nonce-based CSP, a Permissions-Policy, and reports no violation, signed out and signed in", () =>
    timed("CSP on every page", async () => {
      const a = await newDevice(browser, "A");
      const problems = await watchPolicy(a.page);

      const headersOf = async (path: string) => {
        const res = await a.page.goto(path);
        expect(res, path).not.toBeNull();
        await a.page.waitForLoadState("networkidle");
        return res!.headers();
      };
      const expectPolicy = (h: Record<string, string>, path: string) => {
        const csp = h["content-security-policy"] ?? "";
        expect(csp, path).toMatch(/script-src 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'(;|$)/);
        expect(csp, path).not.toContain("unsafe-eval");
        expect(csp, path).not.toContain("unsafe-inline");
        for (const d of ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"]) expect(csp, path).toContain(d);
        expect(h["permissions-policy"], path).toContain("camera=()");
        return csp;
      };

      const nonces = new Set<string>();
      for (const path of ["/", "/sign-up", "/sign-in", "/forgot-password", "/reset-password?token=x", "/check-email?email=a%40example.test", "/verify-email", "/no-such-page"]) {
        nonces.add(expectPolicy(await headersOf(path), path));
      }
      // Scripts ran under the policy: the sign-up form validates in the browser.
      await a.page.goto("/sign-up");
      await a.page.getByRole("button", { name: "Create account" }).click();
      await visible(a.page.getByText("Enter your name."));

      await createAccount(a);
      for (const path of ["/settings/security", "/settings", "/"]) nonces.add(expectPolicy(await headersOf(path), path));
      await visible(a.page.getByRole("link", { name: "Security" }));
      await a.page.goto("/settings/security");
      await visible(a.page.getByRole("list", { name: "Active devices" }));
      await a.page.waitForLoadState("networkidle");

      // A fresh nonce per response.
      expect(nonces.size).toBe(11);
      expect(problems).toEqual([]);
      await a.context.close();
    }));
});
