// Seeding: users and sessions written straight into this run's Postgres and into the index
// through the index API (RedisSessionIndex.record, the call the sign-in hook makes), with
// tokens shaped like the app's (user hash tag + 32 random chars) and signed cookies.
// Sizes past what Postgres needs (the scaling run) go to Redis only, pipelined.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { sql } from "drizzle-orm";
import { getDb } from "@/db";
import { session as sessionTable, user as userTable } from "@/db/schema";
import { env } from "@/lib/env";
import { hashToken, userTag, type SessionToRecord } from "@/lib/session-index";
import { RECORD } from "@/lib/session-index/lua";
import { RedisSessionIndex } from "@/lib/session-index/redis";
import { sessionCookieName, signSessionToken } from "@/lib/sessions/cookie";
import { toRecord, type SessionRow } from "@/lib/sessions/lifecycle";

export const USER_AGENTS = [
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
];

/** Sign-in locations as a city database writes them (the value's size depends on them). */
export const LOCATIONS = ["Frankfurt am Main, Germany", "Cape Town, South Africa", "United States", "São Paulo, Brazil"];

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

let pool = Buffer.alloc(0);
let poolAt = 0;

/** better-auth's id shape: 32 alphanumeric characters (random bytes drawn from a pool: a
 *  million ids one randomBytes() call each would dominate the seeding time). */
export function randomId(length = 32): string {
  if (poolAt + length > pool.length) {
    pool = randomBytes(64 * 1024);
    poolAt = 0;
  }
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHABET[pool[poolAt++]! % ALPHABET.length];
  return out;
}

export interface SeededSession {
  userId: string;
  sessionId: string;
  token: string;
  /** The Cookie header a browser holding this session sends. */
  cookie: string;
}

export function cookieFor(token: string): string {
  return `${sessionCookieName()}=${signSessionToken(token)}`;
}

function seeded(userId: string, sessionId: string, token: string): SeededSession {
  return { userId, sessionId, token, cookie: cookieFor(token) };
}

const DAY = 24 * 3600 * 1000;

export type SeedingIndex = RedisSessionIndex & { client: Redis };

/** An index client of the bench's own, auto-pipelined: thousands of record() calls in flight. */
export function seedingIndex(): SeedingIndex {
  const client = new Redis(env().REDIS_URL!, { enableAutoPipelining: true, maxRetriesPerRequest: 3 });
  return new RedisSessionIndex(client, { prefix: env().REDIS_KEY_PREFIX }) as RedisSessionIndex & { client: Redis };
}

async function inBatches<T>(items: T[], size: number, fn: (batch: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await fn(items.slice(i, i + size));
}

export interface SeedOptions {
  users: number;
  sessionsPerUser: number;
  /** Index them too (default true). */
  index?: boolean;
  emailPrefix: string;
}

/** Users and their sessions in Postgres, each session recorded in the index. */
export async function seedUsersWithSessions(index: RedisSessionIndex, o: SeedOptions): Promise<SeededSession[]> {
  const db = getDb();
  const now = Date.now();
  const users = Array.from({ length: o.users }, (_, i) => ({
    id: randomId(),
    name: `Bench User ${i}`,
    email: `${o.emailPrefix}-${i}-${randomId(6)}@bench.invalid`.toLowerCase(),
    emailVerified: true,
  }));
  await inBatches(users, 1000, (b) => db.insert(userTable).values(b));
  const rows: SessionRow[] = [];
  for (const u of users) {
    for (let s = 0; s < o.sessionsPerUser; s++) {
      const createdAt = new Date(now - (o.sessionsPerUser - s) * 1000);
      rows.push({
        id: randomId(),
        userId: u.id,
        token: userTag(u.id) + randomId(),
        createdAt,
        updatedAt: new Date(now),
        expiresAt: new Date(now + 30 * DAY),
        ipAddress: `203.0.113.${rows.length % 250}`,
        userAgent: USER_AGENTS[rows.length % USER_AGENTS.length]!,
        location: LOCATIONS[rows.length % LOCATIONS.length]!,
        signInMethod: "password",
        deviceFirstSeenAt: new Date(now - 3 * DAY),
      });
    }
  }
  await inBatches(rows, 1000, (b) => db.insert(sessionTable).values(b));
  if (o.index !== false) {
    await inBatches(rows, 2000, (b) => Promise.all(b.map((r) => index.record(toRecord(r), { kind: "new", limit: 0 }))));
  }
  return rows.map((r) => seeded(r.userId, r.id, r.token));
}

/**
 * Bulk loading for the big sizes, with no copy of the index's layout: the app's own
 * RedisSessionIndex.record() builds each session's keys and arguments (against a client that
 * only captures them), and the app's own RECORD script writes them, wrapped in a loop so one
 * EVALSHA stores many sessions. Standalone Redis only (a bulk call spans users' slots).
 */
export class BulkRecorder {
  private readonly capture: RedisSessionIndex;
  private batch: string[] = [];
  private inBatch = 0;
  private inFlight: Promise<unknown>[] = [];
  private sha: string | null = null;
  private static readonly SCRIPT = `local function record(KEYS, ARGV)
${RECORD}
end
local i, n = 1, 0
while i <= #ARGV do
  local nk, na = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
  local keys, argv = {}, {}
  for k = 1, nk do keys[k] = ARGV[i + 1 + k] end
  for a = 1, na do argv[a] = ARGV[i + 1 + nk + a] end
  record(keys, argv)
  i = i + 2 + nk + na
  n = n + 1
end
return n`;

  constructor(
    private readonly client: Redis,
    prefix: string,
    private readonly perCall = 500,
  ) {
    let numberOfKeys = 0;
    const fake = {
      defineCommand: (name: string, def: { numberOfKeys: number }) => {
        if (name === "rvRecord") numberOfKeys = def.numberOfKeys;
      },
      rvRecord: (...args: (string | number)[]) => {
        const keys = args.slice(0, numberOfKeys).map(String);
        const argv = args.slice(numberOfKeys).map(String);
        this.batch.push(String(keys.length), String(argv.length), ...keys, ...argv);
        this.inBatch++;
        return Promise.resolve([1]);
      },
    };
    this.capture = new RedisSessionIndex(fake as unknown as Redis, { prefix });
  }

  async add(s: SessionToRecord): Promise<void> {
    await this.capture.record(s, { kind: "new", limit: 0 });
    if (this.inBatch >= this.perCall) await this.send();
  }

  private async send(): Promise<void> {
    if (this.inBatch === 0) return;
    const args = this.batch;
    const expected = this.inBatch;
    this.batch = [];
    this.inBatch = 0;
    this.sha ??= (await this.client.script("LOAD", BulkRecorder.SCRIPT)) as string;
    const p = this.client.evalsha(this.sha, 0, ...args).then((n) => {
      if (Number(n) !== expected) throw new Error(`bulk record stored ${n} of ${expected}`);
    });
    this.inFlight.push(p);
    if (this.inFlight.length >= 4) await Promise.all(this.inFlight.splice(0));
  }

  async flush(): Promise<void> {
    await this.send();
    await Promise.all(this.inFlight.splice(0));
  }
}

/**
 * Adds `count` sessions to the index only (`perUser` per user), bulk-loaded (BulkRecorder).
 * Returns a uniform sample of `sampleSize` of them (reservoir sampling) for the load.
 */
export async function seedIndexOnly(
  client: Redis,
  count: number,
  sampleSize: number,
  perUser = 3,
  prefix = env().REDIS_KEY_PREFIX,
): Promise<SeededSession[]> {
  const now = Date.now();
  // Device fields parsed once per user agent (parsing a million UAs would measure ua-parser).
  const templates = USER_AGENTS.map((ua, i) =>
    toRecord({
      id: "x",
      userId: "x",
      token: "x",
      createdAt: new Date(now),
      updatedAt: new Date(now),
      expiresAt: new Date(now + 30 * DAY),
      ipAddress: "203.0.113.7",
      userAgent: ua,
      location: LOCATIONS[i % LOCATIONS.length]!,
      signInMethod: "password",
      deviceFirstSeenAt: new Date(now - 3 * DAY),
    }),
  );
  const bulk = new BulkRecorder(client, prefix);
  const sample: SeededSession[] = [];
  let userId = "";
  let tag = "";
  for (let i = 0; i < count; i++) {
    if (i % perUser === 0) {
      userId = randomId();
      tag = userTag(userId);
    }
    const token = tag + randomId();
    const sessionId = randomId();
    await bulk.add({
      ...templates[i % templates.length]!,
      sessionId,
      userId,
      tokenHash: hashToken(token),
      createdAt: now + (i % perUser),
    });
    if (sample.length < sampleSize) sample.push(seeded(userId, sessionId, token));
    else {
      const j = Math.floor(Math.random() * (i + 1));
      if (j < sampleSize) sample[j] = seeded(userId, sessionId, token);
    }
  }
  await bulk.flush();
  return sample;
}

/** `n` sessions for one new user (Postgres + index); the first is the "current" one. */
export async function seedOneUser(index: RedisSessionIndex, n: number, emailPrefix: string): Promise<SeededSession[]> {
  return seedUsersWithSessions(index, { users: 1, sessionsPerUser: n, emailPrefix });
}

/**
 * One new user with `n` sessions, fast enough for 100,000: Postgres rows by `unnest` in
 * statements of 20,000 (the insert trigger stamps the generation, as for a sign-in), the index
 * by BulkRecorder. The first session is the newest (created now: a fresh sign-in, the one a
 * revoke-all keeps); the others are older. Returns it and a sample of the others.
 */
export async function seedOneUserBulk(
  client: Redis,
  n: number,
  emailPrefix: string,
  sampleSize = 50,
): Promise<{ current: SeededSession; others: SeededSession[] }> {
  const db = getDb();
  const now = Date.now();
  const userId = randomId();
  await db.insert(userTable).values({ id: userId, name: "Bench User", email: `${emailPrefix}-${randomId(8)}@bench.invalid`.toLowerCase(), emailVerified: true });
  const tag = userTag(userId);
  const ids = Array.from({ length: n }, () => randomId());
  const tokens = Array.from({ length: n }, () => tag + randomId());
  // Session i was created i ms before now: the first is the current one.
  const createdAt = (i: number) => now - i;
  for (let i = 0; i < n; i += 20_000) {
    const end = Math.min(i + 20_000, n);
    const created = Array.from({ length: end - i }, (_, j) => new Date(createdAt(i + j)).toISOString());
    await db.execute(sql`
      insert into ${sessionTable} (id, token, user_id, created_at, updated_at, expires_at, ip_address, user_agent)
      select id, token, ${userId}, created::timestamptz, created::timestamptz, ${new Date(now + 30 * DAY).toISOString()}::timestamptz,
             '203.0.113.7', ${USER_AGENTS[0]}
      from unnest(${sql.param(ids.slice(i, end))}::text[], ${sql.param(tokens.slice(i, end))}::text[], ${sql.param(created)}::text[])
        as s(id, token, created)`);
  }
  const template = toRecord({
    id: "x",
    userId,
    token: "x",
    createdAt: new Date(now),
    updatedAt: new Date(now),
    expiresAt: new Date(now + 30 * DAY),
    ipAddress: "203.0.113.7",
    userAgent: USER_AGENTS[0],
  });
  const bulk = new BulkRecorder(client, env().REDIS_KEY_PREFIX);
  for (let i = 0; i < n; i++) {
    await bulk.add({ ...template, sessionId: ids[i]!, tokenHash: hashToken(tokens[i]!), createdAt: createdAt(i), lastActiveAt: createdAt(i) });
  }
  await bulk.flush();
  const step = Math.max(1, Math.floor((n - 1) / sampleSize));
  const others: SeededSession[] = [];
  for (let i = 1; i < n && others.length < sampleSize; i += step) others.push(seeded(userId, ids[i]!, tokens[i]!));
  return { current: seeded(userId, ids[0]!, tokens[0]!), others };
}
