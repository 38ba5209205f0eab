// Correctness side by side, in the same run: the app ("ours") and better-auth with Redis
// secondaryStorage (the peer, bench/better-auth.ts) through the same three scenarios, each
// driven through its own real API:
//   ours  sign-in over HTTP (POST /api/auth/sign-in/email on the bench server, every limit on),
//         validity = the gate on a protected path (/__bench/mode/index), list = GET /api/sessions,
//         revoke-others / revoke one = POST /api/sessions/revoke, revoke-all = endAllSessionsOf()
//   peer  auth.api.signInEmail, getSession, listSessions, revokeOtherSessions, revokeSession,
//         revokeSessions, in this process, on the run's Redis and Postgres
// (a) N simultaneous sign-ins for one user, then revoke-others: survivors, listed, listed = valid?
//     (several rounds, a fresh account each)
// (b) revoke-all, then an immediate sign-in (several trials): is the new session valid? listed?
//     And the two at the same moment: either order is correct, but valid and listed must agree.
// (c) Redis flushed (FLUSHDB): who is logged out, does a revoked session stay revoked, is the
//     list complete? Runs last in the run: it empties the run's Redis.
import { eq } from "drizzle-orm";
import { hashPassword } from "better-auth/crypto";
import { Redis } from "ioredis";
import { getDb } from "@/db";
import { account as accountTable, session as sessionTable, user as userTable } from "@/db/schema";
import { endAllSessionsOf } from "@/lib/sessions/admin";
import { readSessionCookie, sessionCookieName, verifySessionCookie } from "@/lib/sessions/cookie";
import { ACCEPTED, get, modePath, REJECTED, type Ctx } from "../context";
import { randomId, USER_AGENTS } from "../lib/seed";

const PASSWORD = "bench password 1234567";

interface Account {
  id: string;
  email: string;
}

/** A side under test: the same operations, each through that side's own API. */
interface Side {
  signIn(account: Account): Promise<{ status: number; cookie: string | null }>;
  isValid(cookie: string): Promise<boolean>;
  /** Session id behind a cookie the side accepts (null if it does not). */
  idOf(cookie: string): Promise<string | null>;
  /** The ids the side lists to the holder of `cookie`; null when it refuses to list. */
  listedIds(cookie: string): Promise<string[] | null>;
  revokeOthers(cookie: string): Promise<void>;
  revokeOne(cookie: string, target: string): Promise<void>;
  revokeAll(account: Account, cookie: string): Promise<void>;
}

const tokenOf = (cookie: string) => verifySessionCookie(readSessionCookie(new Headers({ cookie })));

function sessionCookieOf(setCookie: string[]): string | null {
  const name = `${sessionCookieName()}=`;
  return setCookie.find((c) => c.startsWith(name))?.split(";")[0] ?? null;
}

async function createAccounts(n: number, label: string, hash: string): Promise<Account[]> {
  const users = Array.from({ length: n }, (_, i) => ({
    id: randomId(),
    name: `Peer ${label} ${i}`,
    email: `peer-${label}-${i}-${randomId(6)}@bench.invalid`.toLowerCase(),
    emailVerified: true,
  }));
  await getDb().insert(userTable).values(users);
  await getDb()
    .insert(accountTable)
    .values(users.map((u) => ({ id: randomId(), accountId: u.id, providerId: "credential", userId: u.id, password: hash })));
  return users.map((u) => ({ id: u.id, email: u.email }));
}

function ours(ctx: Ctx): Side {
  const appUrl = ctx.server.url;
  let ip = 0;
  const post = async (path: string, cookie: string, body: unknown) => {
    const res = await fetch(`${appUrl}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: appUrl, cookie },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`ours: POST ${path} answered ${res.status}: ${text}`);
  };
  const side: Side = {
    async signIn(account) {
      const i = ip++;
      const res = await fetch(`${appUrl}/api/auth/sign-in/email`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          origin: appUrl,
          "user-agent": USER_AGENTS[i % USER_AGENTS.length]!,
          // A client address of its own per sign-in (benchmark range, loopback only): the
          // per-IP limit stays on without capping the scenario; the per-account one applies.
          "x-forwarded-for": `198.19.${200 + ((i >> 8) & 31)}.${i & 255}`,
        },
        body: JSON.stringify({ email: account.email, password: PASSWORD }),
      });
      await res.arrayBuffer();
      return { status: res.status, cookie: res.status === 200 ? sessionCookieOf(res.headers.getSetCookie()) : null };
    },
    async isValid(cookie) {
      const { status } = await get(ctx, modePath("index"), cookie);
      if (status !== ACCEPTED && status !== REJECTED) throw new Error(`ours: gate answered ${status}`);
      return status === ACCEPTED;
    },
    async idOf(cookie) {
      if (!(await side.isValid(cookie))) return null;
      const token = tokenOf(cookie);
      if (!token) return null;
      const [row] = await getDb().select({ id: sessionTable.id }).from(sessionTable).where(eq(sessionTable.token, token));
      return row?.id ?? null;
    },
    async listedIds(cookie) {
      const res = await fetch(`${appUrl}/api/sessions`, { headers: { cookie } });
      if (res.status === 401) return null;
      if (res.status !== 200) throw new Error(`ours: GET /api/sessions answered ${res.status}`);
      return ((await res.json()) as { sessions: { id: string }[] }).sessions.map((s) => s.id);
    },
    revokeOthers: (cookie) => post("/api/sessions/revoke", cookie, { all: true }),
    async revokeOne(cookie, target) {
      const id = await side.idOf(target);
      if (!id) throw new Error("ours: the session to revoke is not live");
      await post("/api/sessions/revoke", cookie, { sessionId: id });
    },
    async revokeAll(account) {
      const ended = await endAllSessionsOf(account.email);
      if (!ended) throw new Error("ours: endAllSessionsOf found no such account");
    },
  };
  return side;
}

function peer(ctx: Ctx): Side {
  const { auth } = ctx.peer;
  const headers = (cookie: string) => new Headers({ cookie });
  const side: Side = {
    async signIn(account) {
      try {
        const out = await auth.api.signInEmail({
          body: { email: account.email, password: PASSWORD },
          headers: new Headers({ "user-agent": USER_AGENTS[0]! }),
          returnHeaders: true,
        });
        return { status: 200, cookie: sessionCookieOf(out.headers.getSetCookie()) };
      } catch (err) {
        return { status: Number((err as { statusCode?: number }).statusCode ?? 500), cookie: null };
      }
    },
    async isValid(cookie) {
      return (await auth.api.getSession({ headers: headers(cookie) })) !== null;
    },
    async idOf(cookie) {
      return (await auth.api.getSession({ headers: headers(cookie) }))?.session.id ?? null;
    },
    async listedIds(cookie) {
      if (!(await side.isValid(cookie))) return null;
      return (await auth.api.listSessions({ headers: headers(cookie) })).map((s) => s.id);
    },
    async revokeOthers(cookie) {
      await auth.api.revokeOtherSessions({ headers: headers(cookie) });
    },
    async revokeOne(cookie, target) {
      const token = tokenOf(target);
      if (!token) throw new Error("peer: unreadable cookie");
      await auth.api.revokeSession({ headers: headers(cookie), body: { token } });
    },
    async revokeAll(_account, cookie) {
      await auth.api.revokeSessions({ headers: headers(cookie) });
    },
  };
  return side;
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

async function validOnes(side: Side, cookies: string[]): Promise<string[]> {
  const flags = await Promise.all(cookies.map((c) => side.isValid(c)));
  return cookies.filter((_, i) => flags[i]);
}

/** (a) N simultaneous sign-ins for one user, then revoke-others from one of the live ones. */
async function concurrentSignInsOnce(side: Side, account: Account, n: number) {
  const results = await Promise.all(Array.from({ length: n }, () => side.signIn(account)));
  const statuses: Record<string, number> = {};
  for (const r of results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  const cookies = results.flatMap((r) => (r.cookie ? [r.cookie] : []));
  const liveBefore = await validOnes(side, cookies);
  const listedBefore = liveBefore[0] ? ((await side.listedIds(liveBefore[0])) ?? []).length : 0;
  const keeper = liveBefore[0];
  if (!keeper) throw new Error("concurrent sign-ins: no session is live");
  await side.revokeOthers(keeper);
  const survivors = await validOnes(side, cookies);
  const survivorIds = (await Promise.all(survivors.map((c) => side.idOf(c)))).filter((x): x is string => x !== null);
  const listed = (await side.listedIds(keeper)) ?? [];
  return {
    signIns: n,
    statuses,
    liveBeforeRevoke: liveBefore.length,
    listedBeforeRevoke: listedBefore,
    survivors: survivors.length,
    listed: listed.length,
    listedMatchesValid: sameSet(listed, survivorIds),
  };
}

/** (a) repeated over fresh accounts: the race it looks for does not strike every time. */
async function concurrentSignIns(side: Side, accounts: Account[], n: number) {
  const rounds: Awaited<ReturnType<typeof concurrentSignInsOnce>>[] = [];
  for (const account of accounts) rounds.push(await concurrentSignInsOnce(side, account, n));
  const sum = (f: (r: (typeof rounds)[number]) => number) => rounds.reduce((a, r) => a + f(r), 0);
  return {
    rounds: rounds.length,
    statuses: rounds[0]!.statuses,
    liveBeforeRevoke: sum((r) => r.liveBeforeRevoke),
    listedBeforeRevoke: sum((r) => r.listedBeforeRevoke),
    /** Rounds where more than the one kept session survived revoke-others. */
    roundsWithSurvivors: sum((r) => (r.survivors > 1 ? 1 : 0)),
    maxSurvivors: Math.max(...rounds.map((r) => r.survivors)),
    roundsListedMatchesValid: sum((r) => (r.listedMatchesValid ? 1 : 0)),
    perRound: rounds,
  };
}

/** (b) revoke-all (every session of the user), then at once a new sign-in; or both at the same
 *  moment (`together`), where either order is a correct outcome but valid and listed must agree. */
async function signInAfterRevokeAll(side: Side, accounts: Account[], together: boolean) {
  const trials: { oldRefused: boolean; newValid: boolean; newListed: boolean; agree: boolean }[] = [];
  for (const account of accounts) {
    const first = await side.signIn(account);
    if (!first.cookie) throw new Error(`revoke-all scenario: sign-in answered ${first.status}`);
    let next: Awaited<ReturnType<Side["signIn"]>>;
    if (together) [, next] = await Promise.all([side.revokeAll(account, first.cookie), side.signIn(account)]);
    else {
      await side.revokeAll(account, first.cookie);
      next = await side.signIn(account);
    }
    if (!next.cookie) throw new Error(`revoke-all scenario: the sign-in after it answered ${next.status}`);
    const id = await side.idOf(next.cookie);
    const listed = await side.listedIds(next.cookie);
    const newListed = id !== null && (listed ?? []).includes(id);
    trials.push({ oldRefused: !(await side.isValid(first.cookie)), newValid: id !== null, newListed, agree: (id !== null) === newListed });
  }
  const count = (k: keyof (typeof trials)[number]) => trials.filter((t) => t[k]).length;
  return {
    trials: trials.length,
    oldRefused: count("oldRefused"),
    newValid: count("newValid"),
    newListed: count("newListed"),
    validAndListedAgree: count("agree"),
  };
}

/** (c) two live sessions and one revoked, then the Redis database is flushed. */
async function redisFlushed(side: Side, account: Account) {
  const cookies: string[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await side.signIn(account);
    if (!r.cookie) throw new Error(`flush scenario: sign-in answered ${r.status}`);
    cookies.push(r.cookie);
  }
  const [a, b, revoked] = cookies as [string, string, string];
  await side.revokeOne(a, revoked);
  const listedBefore = ((await side.listedIds(a)) ?? []).length;
  // What to observe once the flush has happened.
  return {
    run: async () => {
      // The first request after the flush is the list itself (the Active devices panel).
      const listedAfter = await side.listedIds(a);
      const liveAfter = (await validOnes(side, [a, b])).length;
      return {
        live: 2,
        listedBeforeFlush: listedBefore,
        listedAfterFlush: listedAfter === null ? null : listedAfter.length,
        stillValid: liveAfter,
        loggedOut: 2 - liveAfter,
        revokedStaysRevoked: !(await side.isValid(revoked)),
      };
    },
  };
}

export async function peerScenarios(ctx: Ctx) {
  const n = ctx.profile.peerSignIns;
  const trials = ctx.profile.peerRevokeAllTrials;
  const hash = await hashPassword(PASSWORD);
  const sides = { ours: ours(ctx), peer: peer(ctx) } as const;
  const partial = {} as Record<"ours" | "peer", Omit<Outcome, "redisFlushed">>;
  for (const name of ["ours", "peer"] as const) {
    partial[name] = {
      concurrentSignIns: await concurrentSignIns(sides[name], await createAccounts(ctx.profile.peerSignInRounds, `${name}-a`, hash), n),
      revokeAllThenSignIn: await signInAfterRevokeAll(sides[name], await createAccounts(trials, `${name}-b`, hash), false),
      revokeAllWithSignIn: await signInAfterRevokeAll(sides[name], await createAccounts(trials, `${name}-b2`, hash), true),
    };
  }
  // Both sides set up first, then one flush of the run's Redis, then both observed.
  const observeOurs = await redisFlushed(sides.ours, (await createAccounts(1, "ours-c", hash))[0]!);
  const observePeer = await redisFlushed(sides.peer, (await createAccounts(1, "peer-c", hash))[0]!);
  const client = new Redis(ctx.redisUrl);
  await client.flushdb();
  client.disconnect();
  const oursOutcome: Outcome = { ...partial.ours, redisFlushed: await observeOurs.run() };
  const peerOutcome: Outcome = { ...partial.peer, redisFlushed: await observePeer.run() };
  return { signIns: n, signInRounds: ctx.profile.peerSignInRounds, revokeAllTrials: trials, ours: oursOutcome, peer: peerOutcome };
}

interface Outcome {
  concurrentSignIns: Awaited<ReturnType<typeof concurrentSignIns>>;
  revokeAllThenSignIn: Awaited<ReturnType<typeof signInAfterRevokeAll>>;
  revokeAllWithSignIn: Awaited<ReturnType<typeof signInAfterRevokeAll>>;
  redisFlushed: Awaited<ReturnType<Awaited<ReturnType<typeof redisFlushed>>["run"]>>;
}

export type PeerScenarios = Awaited<ReturnType<typeof peerScenarios>>;
