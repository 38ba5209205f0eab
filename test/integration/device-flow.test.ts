// Signing in a command-line tool with a code (RFC 8628): the tool asks for a code, a
// signed-in person approves it (fresh sign-in only), the tool's poll gets a bearer token
// for a session of its own, listed as that tool and revocable like any other. Codes are
// for known clients only, expire, are single use, and polling too fast answers slow_down.
import { afterEach, describe, expect, it, vi } from "vitest";
import { GET as listRoute } from "@/app/api/sessions/route";
import { POST as revokeRoute } from "@/app/api/sessions/revoke/route";
import { flushBackground } from "@/lib/background";
import { env } from "@/lib/env";
import { deviceRequestOf } from "@/lib/auth/device-flow";
import type { SessionView } from "@/lib/sessions/service";
import { Browser, signUpVerified } from "../support/browser";
import { NativeApp } from "../support/native-app";
import { backdateSignIn, sessionIdOf } from "../support/sessions";

const GRANT = "urn:ietf:params:oauth:grant-type:device_code";

interface Codes {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

async function askForCode(cli: NativeApp, clientId = "revocable-cli"): Promise<Response> {
  return cli.auth("/device/code", { body: { client_id: clientId } });
}

const poll = (cli: NativeApp, deviceCode: string) => cli.auth("/device/token", { body: { grant_type: GRANT, device_code: deviceCode, client_id: "revocable-cli" } });

/** Moves Date (only) forward by ms from now. */
function later(ms: number) {
  vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + ms });
}

async function approve(b: Browser, userCode: string) {
  const seen = await b.auth(`/device?user_code=${encodeURIComponent(userCode)}`);
  expect(seen.status).toBe(200);
  return b.auth("/device/approve", { userCode });
}

afterEach(() => {
  vi.useRealTimers();
});

describe("device authorization", () => {
  it("a tool is approved by the signed-in person and holds a session of its own, listed and revocable", async () => {
    const browser = new Browser();
    await signUpVerified(browser);
    const cli = new NativeApp();
    const res = await askForCode(cli);
    expect(res.status).toBe(200);
    const codes = (await res.json()) as Codes;
    expect(codes).toMatchObject({ verification_uri: `${env().APP_URL}/device`, interval: 5, expires_in: 600 });
    // The approval page can name the requester's address.
    expect(await deviceRequestOf(codes.user_code)).toMatchObject({ clientName: "Revocable CLI", requesterIp: cli.ip, status: "pending" });

    const pending = await poll(cli, codes.device_code);
    expect(pending.status).toBe(400);
    expect(await pending.json()).toMatchObject({ error: "authorization_pending" });
    const tooSoon = await poll(cli, codes.device_code);
    expect(await tooSoon.json()).toMatchObject({ error: "slow_down" });

    expect((await approve(browser, codes.user_code)).status).toBe(200);
    later(6_000);
    const granted = await poll(cli, codes.device_code);
    expect(granted.status).toBe(200);
    const token = ((await granted.json()) as { access_token: string; token_type: string }).access_token;
    await flushBackground();
    cli.token = token;
    const own = await cli.api(listRoute, "/api/sessions");
    expect(own.status).toBe(200);
    const mine = ((await own.json()) as { sessions: SessionView[] }).sessions.find((s) => s.isCurrent)!;
    expect(mine).toMatchObject({ declaredClient: "Revocable CLI", signInMethod: "device-code", ipAddress: cli.ip });

    // Single use: the code is gone once redeemed.
    later(12_000);
    cli.token = null;
    const again = await poll(cli, codes.device_code);
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: "invalid_grant" });

    // Revoked from the browser's Active devices: the tool is refused on its next call.
    cli.token = token;
    const revoke = await browser.api(revokeRoute, "/api/sessions/revoke", { body: { sessionId: mine.id } });
    expect(revoke.status).toBe(200);
    expect((await cli.api(listRoute, "/api/sessions")).status).toBe(401);
  });

  it("refuses unknown clients", async () => {
    const res = await askForCode(new NativeApp(), "some-other-app");
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "invalid_client" });
  });

  it("approval needs a fresh sign-in", async () => {
    const browser = new Browser();
    await signUpVerified(browser);
    await backdateSignIn(await sessionIdOf(browser), (env().SESSION_FRESH_AGE + 60) * 1000);
    const codes = (await (await askForCode(new NativeApp())).json()) as Codes;
    const res = await approve(browser, codes.user_code);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: "REAUTHENTICATION_REQUIRED" });
    expect((await deviceRequestOf(codes.user_code))?.status).toBe("pending");
  });

  it("codes expire", async () => {
    const browser = new Browser();
    await signUpVerified(browser);
    const cli = new NativeApp();
    const codes = (await (await askForCode(cli)).json()) as Codes;
    later(11 * 60_000);
    expect(await deviceRequestOf(codes.user_code)).toBeNull();
    const res = await poll(cli, codes.device_code);
    expect(await res.json()).toMatchObject({ error: "expired_token" });
  });

  it("approving and polling need no cookie the tool could lack, and the approval endpoints are gated", async () => {
    const cli = new NativeApp();
    const codes = (await (await askForCode(cli)).json()) as Codes;
    const res = await cli.auth("/device/approve", { body: { userCode: codes.user_code } });
    expect(res.status).toBe(401);
  });
});
