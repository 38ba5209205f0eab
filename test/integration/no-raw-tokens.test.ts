// Raw session tokens never reach Redis or the logs: Redis keys and values hold a digest of
// the token, log lines name session ids. Checked against everything in this run's Redis
// DB and every console line, including the lines an outage produces.
import { eq } from "drizzle-orm";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it, vi } from "vitest";
import { getDb } from "@/db";
import { sessionIndexBacklog } from "@/db/schema";
import { POST as revokeRoute } from "@/app/api/sessions/revoke/route";
import { flushMail } from "@/lib/mail";
import { hashToken } from "@/lib/session-index";
import { Browser, signIn, signUpVerified, UA } from "../support/browser";
import { releaseOwnRedisIndex, useOwnRedisIndex, type OwnIndex } from "../support/own-index";
import { sessionIdOf, tokenOf, userIdOf } from "../support/sessions";

/** What would give a session away: the token, its random part (after the user tag), the cookie. */
function secretsOf(browsers: Browser[]): string[] {
  return browsers.flatMap((b) => {
    const token = tokenOf(b);
    return [token, token.slice(8), b.cookies.get("rv.session_token")!];
  });
}

async function valuesOf(redis: Redis, key: string): Promise<string[]> {
  switch (await redis.type(key)) {
    case "string":
      return [(await redis.get(key)) ?? ""];
    case "zset":
      return redis.zrange(key, "0", "-1", "WITHSCORES");
    case "hash":
      return Object.entries(await redis.hgetall(key)).flat();
    case "set":
      return redis.smembers(key);
    case "list":
      return redis.lrange(key, 0, -1);
    default:
      return [];
  }
}

describe("no raw session tokens", () => {
  it("keeps raw session tokens out of Redis: keys and values hold digests and ids", async () => {
    const a = new Browser(UA.macChrome);
    const { email } = await signUpVerified(a);
    const b = new Browser(UA.iphoneSafari);
    await signIn(b, email);
    const c = new Browser(UA.windowsFirefox);
    await signIn(c, email);
    const secrets = secretsOf([a, b, c]);
    // A revocation leaves an ended value under C's digest: that key is checked too.
    expect((await a.route(revokeRoute, "/api/sessions/revoke", { body: { sessionId: await sessionIdOf(c) } })).status).toBe(200);
    expect((await a.throughProxy("/api/sessions")).status).toBe(200);

    const raw = new Redis(process.env.REDIS_URL!);
    try {
      const keys = await raw.keys("*");
      // Not vacuous: A's validity entry is there, under the digest, naming A's session id.
      const aKey = keys.find((k) => k.endsWith(`:t:${hashToken(tokenOf(a))}`));
      expect(aKey).toBeDefined();
      expect(await raw.get(aKey!)).toContain(await sessionIdOf(a));
      expect(await raw.get(keys.find((k) => k.endsWith(`:t:${hashToken(tokenOf(c))}`))!)).toBe("ended:revoked");

      for (const key of keys) {
        const texts = [key, ...(await valuesOf(raw, key))];
        for (const text of texts) for (const secret of secrets) expect(text, key).not.toContain(secret);
      }
    } finally {
      raw.disconnect();
    }
  });

  describe("with Redis failing", () => {
    let ownIndex: OwnIndex | undefined;
    let userId: string | undefined;
    afterEach(async () => {
      await releaseOwnRedisIndex(ownIndex);
      ownIndex = undefined;
      vi.restoreAllMocks();
      // Removals deferred here must not be left for the other test files.
      if (userId) await getDb().delete(sessionIndexBacklog).where(eq(sessionIndexBacklog.userId, userId));
    });

    it("keeps raw session tokens out of the logs, even when Redis fails and removals are deferred", async () => {
      const spies = (["log", "info", "warn", "error", "debug"] as const).map((m) => vi.spyOn(console, m));
      ownIndex = await useOwnRedisIndex(60_000);
      const { own } = ownIndex;

      const a = new Browser(UA.macChrome);
      const { email } = await signUpVerified(a);
      const b = new Browser(UA.iphoneSafari);
      await signIn(b, email);
      const c = new Browser(UA.windowsFirefox);
      await signIn(c, email);
      userId = await userIdOf(email);
      const [bId, cId] = [await sessionIdOf(b), await sessionIdOf(c)];
      const secrets = secretsOf([a, b, c]);

      await own.stop();
      expect((await a.throughProxy("/api/sessions")).status).toBe(200); // from Postgres, logged
      expect((await a.route(revokeRoute, "/api/sessions/revoke", { body: { sessionId: bId } })).status).toBe(200);
      expect((await c.auth("/sign-out", {})).status).toBe(200);
      await flushMail();

      const text = (x: unknown) => (x instanceof Error ? `${x.message} ${x.stack}` : String(x));
      const lines = spies.flatMap((spy) => spy.mock.calls.map((args) => args.map(text).join(" ")));
      // Not vacuous: the outage was logged, naming the sessions whose removal was deferred.
      expect(lines.some((l) => l.includes("index removal deferred") && l.includes(bId))).toBe(true);
      expect(lines.some((l) => l.includes("index removal deferred") && l.includes(cId))).toBe(true);
      for (const line of lines) for (const secret of secrets) expect(line).not.toContain(secret);
    });
  });
});
