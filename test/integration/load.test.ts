// A bounded load test on loopback: many users, concurrent sign-ins, lists, revokes and
// protected requests; then Postgres and Redis must agree exactly (no orphan keys, no
// missing keys, nobody over the limit).
import { inArray } from "drizzle-orm";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { session } from "@/db/schema";
import { indexEvents } from "@/lib/session-index/circuit";
import { getSessionIndex } from "@/lib/session-index";
import { flushRepairs } from "@/lib/sessions/repairs";
import { Browser, ORIGIN, PASSWORD, signUpVerified, UA } from "../support/browser";
import { startHttpApp } from "../support/http-app";
import { bothStores, userIdOf } from "../support/sessions";

// Exact agreement is the claim for a reachable Redis (an outage is resilience.test.ts's
// subject). On a starved CPU the app's 250 ms command timeout fires spuriously and opens
// the breaker, so this file gives Redis commands 5 s and asserts the breaker stayed closed.
process.env.REDIS_COMMAND_TIMEOUT_MS = "5000";

const SECONDS = Number(process.env.LOAD_SECONDS ?? 6);
const USERS = 8;
const WORKERS = 12;
const AGENTS = Object.values(UA);

interface Device { cookie: string }

describe("load on loopback", () => {
  it("keeps Postgres and Redis in exact agreement under mixed concurrent traffic", async () => {
    let breakerOpened = 0;
    indexEvents.on("open", () => breakerOpened++);
    const app = await startHttpApp();
    const users: { email: string; devices: Device[] }[] = [];
    for (let i = 0; i < USERS; i++) users.push({ email: (await signUpVerified(new Browser())).email, devices: [] });

    const call = async (path: string, cookie: string | null, init: { method?: string; body?: unknown } = {}) => {
      const headers: Record<string, string> = { origin: ORIGIN, "user-agent": AGENTS[Math.floor(Math.random() * AGENTS.length)]! };
      if (cookie) headers.cookie = `rv.session_token=${cookie}`;
      if (init.body !== undefined) headers["content-type"] = "application/json";
      return fetch(`${app.url}${path}`, {
        method: init.method ?? (init.body !== undefined ? "POST" : "GET"),
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        redirect: "manual",
      });
    };

    const counts: Record<string, number> = {};
    const statuses: Record<number, number> = {};
    const bump = (k: string, status: number) => {
      counts[k] = (counts[k] ?? 0) + 1;
      statuses[status] = (statuses[status] ?? 0) + 1;
    };
    // Run SECONDS, and on a slow or busy machine keep going (up to 30 s) until at least
    // MIN_OPS requests were made, so the consistency check always has traffic to judge.
    const MIN_OPS = 80;
    const started = Date.now();
    const total = () => Object.values(counts).reduce((a, b) => a + b, 0);
    const running = () => Date.now() - started < SECONDS * 1000 || (total() < MIN_OPS && Date.now() - started < 30_000);

    async function worker() {
      while (running()) {
        const u = users[Math.floor(Math.random() * users.length)]!;
        const d = u.devices[Math.floor(Math.random() * u.devices.length)];
        const roll = Math.random();
        if (!d || roll < 0.15) {
          const res = await call("/api/auth/sign-in/email", null, { body: { email: u.email, password: PASSWORD } });
          bump("sign-in", res.status);
          const set = res.headers.getSetCookie().find((c) => c.startsWith("rv.session_token="));
          if (set) u.devices.push({ cookie: set.split(";")[0]!.slice("rv.session_token=".length) });
        } else if (roll < 0.6) {
          bump("protected", (await call("/settings/security", d.cookie)).status);
        } else if (roll < 0.8) {
          const res = await call("/api/sessions", d.cookie);
          bump("list", res.status);
          if (res.status === 200) {
            const { sessions } = (await res.json()) as { sessions: { id: string; isCurrent: boolean }[] };
            const other = sessions.find((s) => !s.isCurrent);
            if (other && Math.random() < 0.5) bump("revoke-one", (await call("/api/sessions/revoke", d.cookie, { body: { sessionId: other.id } })).status);
          }
        } else if (roll < 0.85) {
          bump("revoke-all", (await call("/api/sessions/revoke", d.cookie, { body: { all: true } })).status);
        } else {
          bump("sign-out", (await call("/api/auth/sign-out", d.cookie, { body: {} })).status);
          u.devices = u.devices.filter((x) => x !== d);
        }
      }
    }

    await Promise.all(Array.from({ length: WORKERS }, worker));
    await flushRepairs();
    await app.close();
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.info(`load: ${total()} requests in ${seconds}s by ${WORKERS} workers: ${JSON.stringify(counts)} statuses ${JSON.stringify(statuses)}`);
    // Throughput depends on the machine (password hashing dominates); correctness does not.
    expect(total()).toBeGreaterThanOrEqual(MIN_OPS);
    expect(counts["sign-in"]).toBeGreaterThan(8);
    expect(Object.keys(statuses).filter((s) => Number(s) >= 500)).toEqual([]);
    expect(breakerOpened, "Redis stopped answering during the run").toBe(0);

    // Per user: the same sessions in both stores, never over the limit.
    for (const u of users) {
      const stores = await bothStores(await userIdOf(u.email));
      expect(stores.redis).toEqual(stores.postgres);
      expect(stores.postgres.length).toBeLessThanOrEqual(3);
    }
    // Every validity key of these users belongs to a live Postgres session, and vice versa
    // (other test files share this database and Redis DB, so only this test's users count).
    const userIds = new Set(await Promise.all(users.map((u) => userIdOf(u.email))));
    const raw = new Redis(process.env.REDIS_URL!);
    const keys = await raw.keys("rv:{*}:t:*");
    raw.disconnect();
    // Ended sessions keep their keys until expiry (`ended:<reason>`, or a generation below
    // the user's after a revoke-all): only what the index's own check calls live counts.
    const entries = [];
    for (const key of keys) {
      const [, tag, hash] = /^rv:\{([^}]*)\}:t:(.*)$/.exec(key)!;
      const found = await getSessionIndex().check(tag!, hash!);
      if (found.kind === "live" && userIds.has(found.entry.userId)) entries.push(found.entry);
    }
    const indexed = new Set(entries.map((e) => e.sessionId));
    const rows = await getDb().select({ id: session.id }).from(session).where(inArray(session.userId, [...userIds]));
    const live = new Set(rows.map((r) => r.id));
    expect(live.size).toBeGreaterThan(0);
    expect([...indexed].filter((id) => !live.has(id))).toEqual([]);
    expect([...live].filter((id) => !indexed.has(id))).toEqual([]);
  }, 120_000);
});
