// The native client's bearer check next to the browser's cookie check: the proxy gate
// (src/lib/proxy-gate.ts) run in this process on the same session, GET /api/sessions, in
// interleaved rounds so a busy machine slows both alike. Both are one HMAC and one index
// round trip; the figure is their ratio (expected 1 within noise).
import { NextRequest } from "next/server";
import { gate } from "@/lib/proxy-gate";
import { bearerTokenOf } from "@/lib/sessions/credential";
import type { Ctx } from "../context";
import { median } from "../lib/load";
import { seedOneUser } from "../lib/seed";

export interface BearerFigure {
  checks: number;
  cookieUs: { p50: number; mean: number };
  bearerUs: { p50: number; mean: number };
  /** bearer p50 / cookie p50 */
  ratio: number;
}

const URL = "http://localhost:3000/api/sessions";

async function timeOne(headers: Headers): Promise<number> {
  const t = process.hrtime.bigint();
  const res = await gate(new NextRequest(URL, { headers }));
  const us = Number(process.hrtime.bigint() - t) / 1e3;
  if (res.headers.get("x-middleware-next") !== "1") throw new Error(`bearer figure: the gate refused (${res.status})`);
  return us;
}

export async function bearerFigure(ctx: Ctx): Promise<BearerFigure> {
  const [session] = await seedOneUser(ctx.seedIdx, 1, "bearer");
  const cookie = new Headers({ cookie: session!.cookie });
  const bearer = new Headers({ authorization: `Bearer ${bearerTokenOf(session!.token)}` });
  const n = ctx.profile.name === "full" ? 20_000 : 1_000;
  for (let i = 0; i < 200; i++) await Promise.all([timeOne(cookie), timeOne(bearer)]); // warm
  const c: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < n; i++) {
    // Alternate which goes first, so neither always follows the other's cache warm-up.
    if (i % 2) {
      c.push(await timeOne(cookie));
      b.push(await timeOne(bearer));
    } else {
      b.push(await timeOne(bearer));
      c.push(await timeOne(cookie));
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
  const cookieUs = { p50: median(c), mean: mean(c) };
  const bearerUs = { p50: median(b), mean: mean(b) };
  return { checks: n, cookieUs, bearerUs, ratio: bearerUs.p50 / cookieUs.p50 };
}
