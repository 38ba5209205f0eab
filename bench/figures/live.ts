// Live sign-out: with N streams open on the bench server (GET /api/sessions/events over
// HTTP, through the proxy and the route handler of the production build), the time from
// the revoke API's answer to `session.ended` arriving on the revoked session's stream,
// p50/p99 over one revocation per stream; and the server's memory per open stream.
import { env } from "@/lib/env";
import { SseReader } from "../../test/support/sse";
import type { Ctx } from "../context";
import { percentile } from "../lib/load";
import { seedUsersWithSessions } from "../lib/seed";

export interface LiveFigure {
  streams: number;
  revocations: number;
  /** ms from the revoke answer to session.ended on the revoked stream */
  p50: number;
  p99: number;
  max: number;
  /** server RSS growth per open stream, bytes (includes the sockets and Next's per-request state) */
  rssBytesPerStream: number;
  openSeconds: number;
}

async function openStream(url: string, cookie: string): Promise<SseReader> {
  const res = await fetch(`${url}/api/sessions/events`, { headers: { cookie } });
  if (res.status !== 200) throw new Error(`events stream: ${res.status} ${await res.text()}`);
  const r = new SseReader(res);
  return r;
}

export async function liveFigure(ctx: Ctx, streams: number): Promise<LiveFigure> {
  // One user per stream: the user's older session revokes the newer one (fresh sign-in).
  const seeded = await seedUsersWithSessions(ctx.seedIdx, { users: streams, sessionsPerUser: 2, emailPrefix: `live-${streams}` });
  const pairs: { revoker: (typeof seeded)[number]; target: (typeof seeded)[number] }[] = [];
  for (let i = 0; i < seeded.length; i += 2) pairs.push({ revoker: seeded[i]!, target: seeded[i + 1]! });

  // Warm: the first stream loads the route's code into the server; that is not per stream.
  const extra = (await seedUsersWithSessions(ctx.seedIdx, { users: 1, sessionsPerUser: 1, emailPrefix: "live-warm" }))[0]!;
  await (await openStream(ctx.server.url, extra.cookie)).cancel();
  const before = (await ctx.server.stats()).rss;
  const opened = Date.now();
  const readers: SseReader[] = [];
  for (let i = 0; i < pairs.length; i += 100) {
    readers.push(...(await Promise.all(pairs.slice(i, i + 100).map((p) => openStream(ctx.server.url, p.target.cookie)))));
  }
  const openSeconds = (Date.now() - opened) / 1000;
  const rssBytesPerStream = Math.round(((await ctx.server.stats()).rss - before) / streams);

  const origin = new URL(env().APP_URL).origin;
  const latencies: number[] = [];
  try {
    for (let i = 0; i < pairs.length; i++) {
      const { revoker, target } = pairs[i]!;
      const res = await fetch(`${ctx.server.url}/api/sessions/revoke`, {
        method: "POST",
        headers: { cookie: revoker.cookie, origin, "content-type": "application/json" },
        body: JSON.stringify({ sessionId: target.sessionId }),
      });
      const answered = performance.now();
      if (res.status !== 200) throw new Error(`revoke: ${res.status} ${await res.text()}`);
      const { found } = await readers[i]!.until("session.ended", 5_000);
      latencies.push(Math.max(0, found.at - answered));
    }
  } finally {
    await Promise.all(readers.map((r) => r.cancel()));
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const round = (v: number) => Number(v.toFixed(2));
  return {
    streams,
    revocations: latencies.length,
    p50: round(percentile(sorted, 0.5)),
    p99: round(percentile(sorted, 0.99)),
    max: round(sorted[sorted.length - 1]!),
    rssBytesPerStream,
    openSeconds,
  };
}
