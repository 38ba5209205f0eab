// What the e2e tests share: the browser, "devices" (browser contexts with their own
// cookies, user agent and client IP), the outbox, and the UI steps every scenario needs.
import { appendFileSync, statSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import { expect, inject } from "vitest";
import { hashToken, tagOfToken } from "@/lib/session-index";
import { keysFor } from "@/lib/session-index/keys";

export const env = inject("e2e");

export const UA = {
  macChrome:
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  iphoneSafari:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
  windowsFirefox: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
  ipadSafari:
    "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
  androidChrome:
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
};

export const PASSWORD = "correct horse battery staple";

export function launchBrowser(): Promise<Browser> {
  // playwright-core gives every launch a fresh temporary --user-data-dir of its own.
  return chromium.launch({
    executablePath: env.chromiumPath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A client address unique within the run (test files share a counter next to the outbox). */
function nextIp(): string {
  const counter = path.join(path.dirname(env.outboxDir), "device-counter");
  appendFileSync(counter, "x");
  const n = statSync(counter).size; // files run one after another: no race
  const nets = ["198.51.100", "203.0.113", "192.0.2"];
  return `${nets[Math.floor((n - 1) / 250) % nets.length]}.${((n - 1) % 250) + 1}`;
}

export interface Device {
  name: string;
  context: BrowserContext;
  page: Page;
  ip: string;
  userAgent: string;
}

/**
 * A device: its own cookie jar, user agent and client address. The address goes in
 * X-Forwarded-For, as the one reverse proxy the server trusts (TRUST_PROXY=1) would append
 * it, so each device shows its own IP in the panel and gets its own rate-limit bucket.
 */
/** `baseURL`: another app server than the run's (a test file's own instance). */
export async function newDevice(browser: Browser, name: string, userAgent = UA.macChrome, options: { ip?: string; baseURL?: string } = {}): Promise<Device> {
  const ip = options.ip ?? nextIp();
  const mobile = /iPhone|Android/.test(userAgent);
  const tablet = /iPad/.test(userAgent);
  const context = await browser.newContext({
    baseURL: options.baseURL ?? env.baseURL,
    userAgent,
    extraHTTPHeaders: { "x-forwarded-for": ip },
    viewport: mobile ? { width: 390, height: 844 } : tablet ? { width: 820, height: 1180 } : { width: 1100, height: 860 },
    locale: "en-US",
    timezoneId: "UTC",
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(30_000);
  const page = await context.newPage();
  return { name, context, page, ip, userAgent };
}

let userSeq = 0;
export function uniqueEmail(tag = "user"): string {
  return `${tag}-${Date.now().toString(36)}-${process.pid}-${userSeq++}@example.test`;
}

export interface OutboxMessage {
  file: string;
  to: string;
  subject: string;
  template: string;
  link: string;
  sentAt: string;
}

async function outbox(): Promise<OutboxMessage[]> {
  const files = (await readdir(env.outboxDir).catch(() => [] as string[])).filter((f) => f.endsWith(".json")).sort();
  const out: OutboxMessage[] = [];
  for (const f of files) {
    try {
      out.push({ file: f, ...(JSON.parse(await readFile(path.join(env.outboxDir, f), "utf8")) as Omit<OutboxMessage, "file">) });
    } catch {
      // being written: picked up on the next poll
    }
  }
  return out;
}

export async function emailsTo(to: string, template: string): Promise<OutboxMessage[]> {
  return (await outbox()).filter((m) => m.to === to && m.template === template);
}

/** Waits for an email of `template` to `to` beyond the first `seen` ones; returns the newest. */
export async function waitForEmail(to: string, template: string, seen = 0, timeoutMs = 10_000): Promise<OutboxMessage> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await emailsTo(to, template);
    if (found.length > seen) return found[found.length - 1]!;
    if (Date.now() > deadline) throw new Error(`no new ${template} email to ${to} (had ${seen})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until the locator is visible (playwright-core has no expect of its own). */
export async function visible(locator: Locator, timeout?: number): Promise<void> {
  await locator.first().waitFor({ state: "visible", timeout });
}

/** Waits until the locator matches exactly `n` elements. */
export async function count(locator: Locator, n: number, timeout = 15_000): Promise<void> {
  await expect.poll(() => locator.count(), { timeout, interval: 100 }).toBe(n);
}

/** Signs up through the UI, opens the emailed link in the same device (which signs it in). */
export async function createAccount(device: Device, email = uniqueEmail(), password = PASSWORD, name = "Ada Lovelace") {
  const { page } = device;
  await page.goto("/sign-up");
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL((u) => u.pathname === "/check-email");
  await visible(page.getByRole("heading", { name: "Check your email" }));
  const mail = await waitForEmail(email, "verify-email");
  await followVerificationLink(device, mail.link, email);
  return { email, password };
}

/**
 * Opens an emailed verification link: it only shows the confirmation page (which names the
 * address); the button verifies, then the page continues to where the link was going.
 */
export async function followVerificationLink(device: Device, link: string, email: string) {
  const { page } = device;
  await page.goto(link);
  await page.waitForURL((u) => u.pathname === "/verify-email" && u.searchParams.has("token"));
  await visible(page.getByRole("heading", { name: "Confirm your email address" }));
  await visible(page.getByText(email));
  await page.getByRole("button", { name: "Confirm my email address" }).click();
  await page.waitForURL((u) => u.pathname === "/verify-email" && !u.searchParams.has("token"));
  await visible(page.getByRole("heading", { name: "Your email address is verified" }));
}

/** Signs in through the sign-in form; waits until the app has moved on to `landing`. */
export async function signInWithForm(device: Device, email: string, password = PASSWORD, landing = "/settings/security") {
  const { page } = device;
  if (new URL(page.url() === "about:blank" ? env.baseURL : page.url()).pathname !== "/sign-in") await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => u.pathname === landing);
}

export function devicesList(page: Page) {
  return page.getByRole("list", { name: "Active devices" });
}

export function deviceRows(page: Page) {
  return devicesList(page).getByRole("listitem");
}

/** Opens the Active devices panel and waits until it shows `rows` rows. */
export async function openPanel(page: Page, rows?: number) {
  await page.goto("/settings/security");
  await visible(devicesList(page));
  if (rows !== undefined) await count(deviceRows(page), rows);
}

/**
 * Asserts that the device is signed out. A tab open on a signed-in page leaves by itself
 * (live sign-out): that is awaited and checked first; the tab's next navigation to a
 * protected page then lands on sign-in too. Any other tab: its next navigation to a
 * protected page lands on sign-in with the "signed out" notice.
 */
export async function expectSignedOut(device: Device, pathname = "/settings/security") {
  const { page } = device;
  const at = new URL(page.url() === "about:blank" ? env.baseURL : page.url());
  // On a signed-in page, or already gone from it on its own (before this was called).
  if (at.pathname.startsWith("/settings/") || (at.pathname === "/sign-in" && at.searchParams.get("reason") === "signed-out")) {
    await page.waitForURL((u) => u.pathname === "/sign-in", { timeout: 5_000 });
    expect(new URL(page.url()).searchParams.get("reason")).toBe("signed-out");
    await visible(page.getByText("You were signed out on this device"));
    await page.goto(pathname);
    await page.waitForURL((u) => u.pathname === "/sign-in");
    expect(new URL(page.url()).searchParams.get("next")).toBe(pathname);
    return;
  }
  await page.goto(pathname);
  await page.waitForURL((u) => u.pathname === "/sign-in");
  const url = new URL(page.url());
  expect(url.searchParams.get("next")).toBe(pathname);
  expect(url.searchParams.get("reason")).toBe("signed-out");
  await visible(page.getByText("You were signed out on this device"));
}

/** Direct SQL against this run's database, for test setup that has no UI (ageing a session). */
export async function sql<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: env.databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Ages a session's sign-in by an hour as the server sees it: its row, and the sign-in time in
 * its index value (the proxy passes that one on, so a fresh-sign-in check needs no query).
 */
export async function backdateSignIn(sessionId: string | null): Promise<void> {
  const [row] = await sql<{ token: string; created_at: Date }>(
    "UPDATE session SET created_at = now() - interval '1 hour' WHERE id = $1 RETURNING token, created_at",
    [sessionId],
  );
  if (!row) throw new Error(`no session ${sessionId} to backdate`);
  const redis = new Redis(env.appEnv.REDIS_URL!);
  try {
    const key = keysFor(env.appEnv.REDIS_KEY_PREFIX || "rv", tagOfToken(row.token)).validity(hashToken(row.token));
    const fields = (await redis.get(key))?.split("|");
    // sessionId|userId|expiresAt|lastActiveAt|generation|createdAt|[device]
    if (!fields || fields.length < 7) throw new Error(`session ${sessionId} has no index value with a sign-in time`);
    fields[5] = String(row.created_at.getTime());
    await redis.set(key, fields.join("|"), "KEEPTTL");
  } finally {
    redis.disconnect();
  }
}

export async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await fn();
  } finally {
    console.info(`[e2e] ${label}: ${((Date.now() - started) / 1000).toFixed(1)}s`);
  }
}
