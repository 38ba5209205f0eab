// Live sign-out across a Redis restart, in Chromium. Restarting the shared Redis would disturb
// every other run on the machine, so this file starts an app instance of its own (server.ts
// on the run's build, database and outbox) on a redis-server of its own that it can stop and
// start. The restarted Redis is empty (no persistence): the index rebuilds from Postgres
// (docs/failure-modes.md) and the instance's subscriber reconnects and re-subscribes.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { Redis } from "ioredis";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, PORT_RANGES } from "../support/ports";
import { OwnRedis } from "../support/redis-server";
import { startAppServer, type AppServer } from "./support/app-server";
import { createAccount, deviceRows, env, launchBrowser, newDevice, openPanel, signInWithForm, timed, UA, visible } from "./support/harness";

let browser: Browser;
let redis: OwnRedis;
let server: AppServer | undefined;
let baseURL: string;
const serverLog = path.join(path.dirname(env.outboxDir), "server-redis-restart.log");

beforeAll(async () => {
  redis = await OwnRedis.start();
  const port = await freePort(PORT_RANGES.e2e);
  baseURL = `http://localhost:${port}`;
  // The way `npm start` runs the app (server.ts), on the run's build, database and outbox.
  server = await startAppServer(
    baseURL,
    {
      ...(process.env as Record<string, string>),
      NEXT_TELEMETRY_DISABLED: "1",
      BETTER_AUTH_SECRET: `e2e-redis-restart-${process.pid}-0123456789abcdefghijklmnop`,
      DATABASE_URL: env.databaseUrl,
      REDIS_URL: `${redis.url}/0`,
      OUTBOX_DIR: env.outboxDir,
      SESSION_MAX_CONCURRENT: "10",
      RESEND_API_KEY: "",
    },
    serverLog,
  );
  browser = await launchBrowser();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await redis?.stop();
});

async function live(page: Page) {
  await page.waitForFunction(() => document.body.dataset.liveSession === "open", undefined, { timeout: 15_000 });
}

/** Resolves once the app instance has subscribed to some channel on this Redis again. */
async function resubscribed(timeoutMs = 15_000): Promise<void> {
  const c = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (((await c.pubsub("CHANNELS", "*")) as string[]).some((ch) => ch.includes(":live:"))) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the app did not re-subscribe within ${timeoutMs} ms:\n${(await readFile(serverLog, "utf8")).slice(-2000)}`);
  } finally {
    c.disconnect();
  }
}

describe("live sign-out after a Redis restart", () => {
  it("B's tab, open through the restart, still leaves within 3 s of A signing it out, without a reload", () =>
    timed("live: after a Redis restart", async () => {
      const a = await newDevice(browser, "A", UA.macChrome, { baseURL });
      const b = await newDevice(browser, "B", UA.windowsFirefox, { baseURL });
      const { email } = await createAccount(a);
      await signInWithForm(b, email);
      await live(b.page);
      await b.page.evaluate(() => ((window as unknown as { marker: number }).marker = 7));
      await resubscribed(2_000); // subscribed before the restart too: the check is meaningful

      // Redis gone (its data with it), then back, empty, on the same port.
      await redis.stop();
      await new Promise((r) => setTimeout(r, 1_000));
      await redis.start();
      await resubscribed();
      // B's tab has not moved: no reload, still signed in, its stream open.
      expect(new URL(b.page.url()).pathname).toBe("/settings/security");
      expect(await b.page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(7);
      await live(b.page);

      await openPanel(a.page, 2);
      const other = deviceRows(a.page).filter({ hasText: "Firefox 133 on Windows" });
      await other.getByRole("button", { name: "Sign out Firefox 133 on Windows" }).click();
      await a.page.getByRole("dialog", { name: "Sign out this device?" }).getByRole("button", { name: "Sign out", exact: true }).click();
      await visible(a.page.getByRole("status").getByText("Signed out 1 device: Firefox 133 on Windows."));
      const started = Date.now();
      await b.page.waitForURL((u) => u.pathname === "/sign-in", { timeout: 3_000 });
      console.info(`[e2e] after the Redis restart, B left the account ${Date.now() - started} ms after A's answer`);
      expect(new URL(b.page.url()).searchParams.get("reason")).toBe("signed-out");
      await visible(b.page.getByText("You were signed out on this device"));
      expect(await b.page.content()).not.toContain(email);
      for (const d of [a, b]) await d.context.close();
    }));
});
