// One source of the client address (src/lib/client-address.ts): through a real loopback
// HTTP server that stamps the address from the socket as server.ts does, a client-sent
// X-Forwarded-For changes neither the recorded address nor any rate-limit key unless
// TRUST_PROXY says proxies set it; with N hops the right entry is used.
import { eq } from "drizzle-orm";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { session, user } from "@/db/schema";
import { resetAuthForTests } from "@/lib/auth";
import { clientAddress, SIGNED_HEADER, signAddress } from "@/lib/client-address";
import { resetEnvForTests } from "@/lib/env";
import { Browser, ORIGIN, PASSWORD, signUpVerified, uniqueEmail } from "../support/browser";
import { startHttpApp } from "../support/http-app";

let app: Awaited<ReturnType<typeof startHttpApp>>;

function configure(vars: Record<string, string>) {
  Object.assign(process.env, vars);
  resetEnvForTests();
  resetAuthForTests();
}

beforeAll(async () => {
  app = await startHttpApp();
});
afterAll(async () => {
  await app.close();
  configure({ TRUST_PROXY: "none", RATE_LIMIT: "off" });
});
afterEach(async () => {
  configure({ TRUST_PROXY: "none", RATE_LIMIT: "off" });
  // Every request here comes from 127.0.0.1: each test starts with that address's buckets empty.
  const redis = new Redis(process.env.REDIS_URL!);
  const keys = await redis.keys("rv:rl:127.0.0.1|*");
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

function signInOverHttp(email: string, password: string, headers: Record<string, string> = {}) {
  return fetch(`${app.url}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: ORIGIN, "user-agent": "client-address-test", ...headers },
    body: JSON.stringify({ email, password }),
  });
}

async function recordedAddresses(email: string): Promise<(string | null)[]> {
  const rows = await getDb()
    .select({ ip: session.ipAddress })
    .from(session)
    .innerJoin(user, eq(user.id, session.userId))
    .where(eq(user.email, email))
    .orderBy(session.createdAt);
  return rows.map((r) => r.ip);
}

describe("the recorded address", () => {
  it("is the TCP peer's by default: a spoofed X-Forwarded-For is ignored", async () => {
    const { email } = await signUpVerified(new Browser());
    const res = await signInOverHttp(email, PASSWORD, { "x-forwarded-for": "198.51.100.77" });
    expect(res.status).toBe(200);
    expect((await recordedAddresses(email)).at(-1)).toBe("127.0.0.1");
  });

  it("is never a client-sent copy of the signed header or of better-auth's header", async () => {
    const { email } = await signUpVerified(new Browser());
    // A forged signature, and better-auth's own header, sent by the client.
    const res = await signInOverHttp(email, PASSWORD, { [SIGNED_HEADER]: "198.51.100.78 AAAA", "x-revocable-client-ip": "198.51.100.79" });
    expect(res.status).toBe(200);
    expect((await recordedAddresses(email)).at(-1)).toBe("127.0.0.1");
  });

  it("with TRUST_PROXY=1 is the entry the one proxy appended (the rightmost)", async () => {
    configure({ TRUST_PROXY: "1" });
    const { email } = await signUpVerified(new Browser());
    expect((await signInOverHttp(email, PASSWORD, { "x-forwarded-for": "198.51.100.77, 203.0.113.5" })).status).toBe(200);
    expect((await recordedAddresses(email)).at(-1)).toBe("203.0.113.5");
  });

  it("with TRUST_PROXY=2 is the entry two hops back, whatever the client put left of it", async () => {
    configure({ TRUST_PROXY: "2" });
    const { email } = await signUpVerified(new Browser());
    const res = await signInOverHttp(email, PASSWORD, { "x-forwarded-for": "198.51.100.77, ::ffff:203.0.113.6, 10.0.0.2" });
    expect(res.status).toBe(200);
    expect((await recordedAddresses(email)).at(-1)).toBe("203.0.113.6");
  });

  it("with a platform header is that header's address, and X-Forwarded-For is ignored", async () => {
    configure({ TRUST_PROXY: "cf-connecting-ip" });
    const { email } = await signUpVerified(new Browser());
    const res = await signInOverHttp(email, PASSWORD, { "cf-connecting-ip": "2001:DB8:0:0:0:0:0:7", "x-forwarded-for": "198.51.100.77" });
    expect(res.status).toBe(200);
    expect((await recordedAddresses(email)).at(-1)).toBe("2001:db8::7");
  });

  it("a signed address is only valid under the secret that signed it", () => {
    const headers = new Headers({ [SIGNED_HEADER]: signAddress("203.0.113.8") });
    expect(clientAddress(headers)).toBe("203.0.113.8");
    configure({ BETTER_AUTH_SECRET: "another-secret-for-revocable-0123456789abcdefgh" });
    try {
      expect(clientAddress(headers)).toBeNull();
    } finally {
      configure({ BETTER_AUTH_SECRET: "test-secret-for-revocable-0123456789abcdefghijkl" });
    }
  });
});

describe("rate limits are keyed by the trusted address", () => {
  it("fourteen failed sign-ins with rotating spoofed X-Forwarded-For get 429 after ten", async () => {
    configure({ RATE_LIMIT: "on" });
    const statuses: number[] = [];
    for (let i = 0; i < 14; i++) {
      const res = await signInOverHttp(uniqueEmail("xff"), "wrong password 123", { "x-forwarded-for": `198.51.100.${100 + i}` });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(Array(4).fill(429));
  });

  it("spraying one password over many real accounts with rotating spoofed headers gets 429", async () => {
    const emails: string[] = [];
    for (let i = 0; i < 12; i++) emails.push((await signUpVerified(new Browser())).email);
    configure({ RATE_LIMIT: "on" });
    const statuses: number[] = [];
    for (const [i, email] of emails.entries()) {
      const res = await signInOverHttp(email, "Spring2026!spray", { "x-forwarded-for": `203.0.113.${i + 1}`, [SIGNED_HEADER]: signAddress(`203.0.113.${i + 1}`).replace(/.$/, "x") });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
  });

  it("with TRUST_PROXY=1 each client behind the proxy has its own bucket", async () => {
    configure({ RATE_LIMIT: "on", TRUST_PROXY: "1" });
    // Addresses of this test alone (the run's limiter buckets outlive a file, and the test
    // browsers sign in from 203.0.113.x): from the benchmarking range, random per run.
    const octet = () => 1 + Math.floor(Math.random() * 250);
    const first = `198.18.${octet()}.${octet()}`;
    const second = `198.19.${octet()}.${octet()}`;
    for (let i = 0; i < 10; i++) {
      expect((await signInOverHttp(uniqueEmail("hop"), "wrong password 123", { "x-forwarded-for": first })).status).toBe(401);
    }
    expect((await signInOverHttp(uniqueEmail("hop"), "wrong password 123", { "x-forwarded-for": first })).status).toBe(429);
    // Another client behind the same proxy is not limited by the first one's attempts.
    expect((await signInOverHttp(uniqueEmail("hop"), "wrong password 123", { "x-forwarded-for": `1.2.3.4, ${second}` })).status).toBe(401);
  });
});
