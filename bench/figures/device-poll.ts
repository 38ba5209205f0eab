// What a command-line tool's device-code poll costs (POST /api/auth/device/token through
// better-auth's handler in this process): the poll while the code waits for approval
// (authorization_pending: a look-up and the last-polled stamp), and one that comes too soon
// (slow_down: the look-up only). SQL counted at the driver.
import { eq } from "drizzle-orm";
import { getDb, getQueryCount } from "@/db";
import { deviceCode } from "@/db/schema";
import { getAuth } from "@/lib/auth";
import { signAddress, SIGNED_HEADER } from "@/lib/client-address";
import type { Ctx } from "../context";
import { median } from "../lib/load";

export interface DevicePollFigure {
  polls: number;
  pending: { p50Ms: number; sqlPerPoll: number };
  slowDown: { p50Ms: number; sqlPerPoll: number };
}

const ORIGIN = "http://localhost:3000";
const GRANT = "urn:ietf:params:oauth:grant-type:device_code";

let polls = 0;

/** Each request from an address of its own: the figure is the poll's cost, not the per-address limit's 429. */
function post(pathname: string, body: unknown): Promise<Response> {
  const n = polls++;
  const headers = { "content-type": "application/json", [SIGNED_HEADER]: signAddress(`10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`) };
  return getAuth().handler(new Request(`${ORIGIN}/api/auth${pathname}`, { method: "POST", headers, body: JSON.stringify(body) }));
}

async function timePolls(deviceCodeValue: string, n: number, expected: string): Promise<{ p50Ms: number; sqlPerPoll: number }> {
  const times: number[] = [];
  const q0 = getQueryCount();
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    const res = await post("/device/token", { grant_type: GRANT, device_code: deviceCodeValue, client_id: "revocable-cli" });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    const { error } = (await res.json()) as { error?: string };
    if (error !== expected) throw new Error(`device poll: expected ${expected}, got ${res.status} ${error}`);
  }
  return { p50Ms: median(times), sqlPerPoll: (getQueryCount() - q0) / n };
}

export async function devicePollFigure(ctx: Ctx): Promise<DevicePollFigure> {
  const n = ctx.profile.name === "full" ? 2_000 : 200;
  const res = await post("/device/code", { client_id: "revocable-cli" });
  if (!res.ok) throw new Error(`device code: ${res.status} ${await res.text()}`);
  const { device_code } = (await res.json()) as { device_code: string };
  // Pending polls: the interval check is off for this code (a zero interval), so every poll
  // does the full pending path instead of answering slow_down.
  await getDb().update(deviceCode).set({ pollingInterval: 0 }).where(eq(deviceCode.deviceCode, device_code));
  const pending = await timePolls(device_code, n, "authorization_pending");
  await getDb().update(deviceCode).set({ pollingInterval: 3_600_000 }).where(eq(deviceCode.deviceCode, device_code));
  const slowDown = await timePolls(device_code, n, "slow_down");
  return { polls: n, pending, slowDown };
}
