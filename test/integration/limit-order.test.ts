// The concurrent-session limit is enforced by Redis (the ZSET, ranked by created_at then
// token hash) and, after an outage, by Postgres. Both must rank sessions the same way,
// ties on created_at included, or the two stores could evict different sessions.
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { session, user } from "@/db/schema";
import { hashToken } from "@/lib/session-index";
import { TOKEN_HASH_SQL } from "@/lib/sessions/lifecycle";

describe("limit ordering", () => {
  it("Postgres computes the token hash the Redis ZSET ranks by", async () => {
    const db = getDb();
    const userId = `u_${randomBytes(8).toString("hex")}`;
    await db.insert(user).values({ id: userId, name: "Order", email: `${userId}@example.test` });
    const tokens = ["abc", "Zz9_-", "x".repeat(40), "a+b/c=d", "ünïcødé"];
    const at = new Date();
    await db.insert(session).values(
      tokens.map((token, i) => ({ id: `${userId}_${i}`, userId, token, createdAt: at, expiresAt: new Date(Date.now() + 60_000) })),
    );
    const rows = await db.select({ token: session.token, h: TOKEN_HASH_SQL }).from(session).where(eq(session.userId, userId));
    expect(rows).toHaveLength(tokens.length);
    for (const r of rows) expect(r.h).toBe(hashToken(r.token));
    await db.delete(user).where(eq(user.id, userId));
  });
});
