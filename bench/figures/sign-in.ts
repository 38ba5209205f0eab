// Sign-in under load with both rate limits on and the concurrent limit at 3: throughput, SQL per
// sign-in, the limit held in both stores, and the rate limits really refusing the 11th.
import type autocannon from "autocannon";
import { eq } from "drizzle-orm";
import { hashPassword } from "better-auth/crypto";
import { getDb } from "@/db";
import { account as accountTable, session as sessionTable, user as userTable } from "@/db/schema";
import { getSessionIndex } from "@/lib/session-index";
import { sleep, type Ctx } from "../context";
import { runLoad } from "../lib/load";
import { randomId, USER_AGENTS } from "../lib/seed";

/** Sign-ins per account in the throughput run: past the concurrent limit (3), so every
 *  account evicts (successful sign-ins do not count towards the per-account limit). */
const SIGN_INS_PER_ACCOUNT = 6;

export async function signInFigure(ctx: Ctx) {
  const password = "bench password 1234567";
  const hash = await hashPassword(password); // one scrypt hash, shared: verification still runs per sign-in
  const users = Array.from({ length: ctx.profile.signInAccounts }, (_, i) => ({
    id: randomId(),
    name: `Sign-in ${i}`,
    email: `signin-${i}-${randomId(6)}@bench.invalid`.toLowerCase(),
    emailVerified: true,
  }));
  const db = getDb();
  for (let i = 0; i < users.length; i += 1000) {
    const batch = users.slice(i, i + 1000);
    await db.insert(userTable).values(batch);
    await db.insert(accountTable).values(
      batch.map((u) => ({ id: randomId(), accountId: u.id, providerId: "credential", userId: u.id, password: hash })),
    );
  }
  // The last accounts are kept apart for the rate-limit checks.
  const demo = users.splice(-12);
  const appUrl = ctx.server.url;
  const signIn = async (email: string, ip: string, attempt = password) => {
    const res = await fetch(`${appUrl}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: appUrl, "x-forwarded-for": ip, "user-agent": USER_AGENTS[0]! },
      body: JSON.stringify({ email, password: attempt }),
    });
    await res.arrayBuffer();
    return res.status;
  };
  let n = 0;
  const served = new Map<string, number>();
  const request: autocannon.Request = {
    method: "POST",
    path: "/api/auth/sign-in/email",
    // One request in flight per connection: the response belongs to the account set up last.
    onResponse: (status, _body, context) => {
      const email = (context as { email?: string }).email;
      if (status === 200 && email) served.set(email, (served.get(email) ?? 0) + 1);
    },
    setupRequest: (req, context) => {
      const i = n++;
      const email = users[Math.floor(i / SIGN_INS_PER_ACCOUNT) % users.length]!.email;
      (context as { email?: string }).email = email;
      // A distinct client address per sign-in (RFC 2544 benchmark range, only ever a header
      // on loopback): the per-IP limit stays on but does not cap this run.
      return {
        ...req,
        headers: {
          "content-type": "application/json",
          origin: appUrl,
          "user-agent": USER_AGENTS[0]!,
          "x-forwarded-for": `198.18.${(i >> 8) & 255}.${i & 255}`,
        },
        body: JSON.stringify({ email, password }),
      };
    },
  };
  const q0 = (await ctx.server.stats()).pgQueries;
  const { value: result, observed } = await ctx.monitor.observe(() =>
    runLoad({ url: appUrl, requests: [request], connections: ctx.profile.signInConnections, seconds: ctx.profile.signInSeconds, okStatuses: [200] }),
  );
  await sleep(1500); // sign-ins still in flight when the load stopped finish server-side
  const q1 = (await ctx.server.stats()).pgQueries;
  // The concurrent limit held: at most 3 per account, Postgres and Redis agreeing.
  const touched = users.slice(0, Math.min(users.length, Math.ceil(n / SIGN_INS_PER_ACCOUNT)));
  let remaining = 0;
  let maxPerUser = 0;
  let agree = true;
  for (const u of touched) {
    const pgIds = (await db.select({ id: sessionTable.id }).from(sessionTable).where(eq(sessionTable.userId, u.id)))
      .map((r) => r.id)
      .sort();
    const redisIds = (await getSessionIndex().list(u.id)).map((s) => s.sessionId).sort();
    remaining += pgIds.length;
    maxPerUser = Math.max(maxPerUser, pgIds.length);
    agree &&= JSON.stringify(pgIds) === JSON.stringify(redisIds);
  }
  // The rate limits are really on: 11 sign-ins from one address (to different accounts), and
  // 11 failed ones to one account (from different addresses; the account limit counts failures).
  const oneAddress: number[] = [];
  for (let i = 0; i < 11; i++) oneAddress.push(await signIn(demo[i]!.email, "198.19.0.1"));
  const oneAccount: number[] = [];
  for (let i = 0; i < 11; i++) oneAccount.push(await signIn(demo[11]!.email, `198.19.1.${i + 1}`, `wrong ${password}`));
  const limit = 3;
  return {
    accounts: touched.length,
    signInsPerAccount: SIGN_INS_PER_ACCOUNT,
    connections: ctx.profile.signInConnections,
    signInsPerSecond: result.requestsPerSecond,
    p50: result.p50,
    p99: result.p99,
    signIns: result.ok,
    statuses: result.statuses,
    sqlPerSignIn: result.requests ? (q1 - q0) / result.requests : NaN,
    redisRoundTripsPerSignIn: result.requests ? observed.roundTrips / result.requests : NaN,
    redisByCommand: observed.byCommand,
    concurrentLimit: limit,
    sessionsRemaining: remaining,
    /** Lower bound: sign-ins past the limit that this client saw succeed, per account. */
    evictedAtLeast: [...served.values()].reduce((a, k) => a + Math.max(0, k - limit), 0),
    maxSessionsPerUser: maxPerUser,
    storesAgree: agree,
    limitHeld: maxPerUser <= limit && agree,
    rateLimit: {
      oneAddressElevenAccounts: oneAddress,
      oneAccountElevenAddresses: oneAccount,
      enforced: oneAddress.at(-1) === 429 && oneAccount.at(-1) === 429,
    },
  };
}

export type SignInFigure = Awaited<ReturnType<typeof signInFigure>>;
