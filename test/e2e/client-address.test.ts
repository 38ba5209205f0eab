// The client address through the real production server (server.ts on the .next build):
// a spoofed X-Forwarded-For is not what gets recorded. The run's server trusts one proxy
// (TRUST_PROXY=1), so there the proxy's entry (the rightmost) is recorded; a second server
// started here with the default (no trusted proxy) records the TCP peer, whatever the
// client claims.
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, PORT_RANGES } from "../support/ports";
import { startAppServer, type AppServer } from "./support/app-server";
import { createAccount, env, launchBrowser, newDevice, PASSWORD, sql } from "./support/harness";

let browser: Browser;
let direct: AppServer | undefined;
let email: string;

beforeAll(async () => {
  browser = await launchBrowser();
  const device = await newDevice(browser, "A");
  ({ email } = await createAccount(device));
  await device.context.close();
  // The same database, Redis and secret; only the trust setting differs. 127.0.0.1, so the
  // peer address is known in advance.
  const port = await freePort(PORT_RANGES.e2e);
  const appEnv: Record<string, string> = { ...env.appEnv, TRUST_PROXY: "none" };
  direct = await startAppServer(`http://127.0.0.1:${port}`, appEnv, path.join(path.dirname(env.outboxDir), "direct-server.log"));
}, 120_000);

afterAll(async () => {
  await direct?.stop();
  await browser?.close();
});

async function signIn(baseURL: string, forwardedFor: string) {
  const res = await fetch(`${baseURL}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: new URL(baseURL).origin, "x-forwarded-for": forwardedFor, "user-agent": "e2e spoofing client" },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  expect(res.status).toBe(200);
}

async function lastRecordedAddress(): Promise<string | null> {
  const [row] = await sql<{ ip_address: string | null }>(
    `SELECT s.ip_address FROM session s JOIN "user" u ON u.id = s.user_id WHERE u.email = $1 ORDER BY s.created_at DESC LIMIT 1`,
    [email],
  );
  return row?.ip_address ?? null;
}

describe("the recorded client address (production server)", () => {
  it("with no trusted proxy is the TCP peer's, not a spoofed X-Forwarded-For", async () => {
    await signIn(direct!.url, "198.51.100.77");
    expect(await lastRecordedAddress()).toBe("127.0.0.1");
  });

  it("behind one trusted proxy is the entry that proxy appended, not the client's own", async () => {
    await signIn(env.baseURL, "198.51.100.77, 203.0.113.200");
    expect(await lastRecordedAddress()).toBe("203.0.113.200");
  });
});
