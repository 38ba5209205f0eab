// Long-expired session rows are deleted (in batches, never waiting for a locked row); live
// ones and ones expired less than a day ago stay.
import { randomBytes } from "node:crypto";
import { eq, inArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { session, user } from "@/db/schema";
import { userTag } from "@/lib/session-index";
import { deleteExpiredSessions, EXPIRED_ROW_GRACE_MS } from "@/lib/sessions/expired-rows";

const HOUR = 60 * 60 * 1000;

async function userWithRows(expiries: number[]): Promise<{ userId: string; ids: string[] }> {
  const userId = randomBytes(12).toString("base64url");
  await getDb().insert(user).values({ id: userId, name: "Expiry", email: `expiry-${userId}@example.test`.toLowerCase() });
  const now = Date.now();
  const rows = expiries.map((offset) => ({
    id: randomBytes(16).toString("base64url"),
    userId,
    token: userTag(userId) + randomBytes(24).toString("base64url"),
    createdAt: new Date(now + offset - 7 * 24 * HOUR),
    updatedAt: new Date(now + offset - 7 * 24 * HOUR),
    expiresAt: new Date(now + offset),
  }));
  await getDb().insert(session).values(rows);
  return { userId, ids: rows.map((r) => r.id) };
}

const left = async (ids: string[]) =>
  (await getDb().select({ id: session.id }).from(session).where(inArray(session.id, ids))).map((r) => r.id).sort();

describe("clean-up of expired session rows", () => {
  it("deletes rows expired over a day ago, keeps live ones and ones expired within the day", async () => {
    const { ids } = await userWithRows([-EXPIRED_ROW_GRACE_MS - HOUR, -EXPIRED_ROW_GRACE_MS - 30 * 24 * HOUR, -HOUR, +HOUR]);
    const [old, older, recent, live] = ids as [string, string, string, string];
    const deleted = await deleteExpiredSessions();
    expect(deleted).toBeGreaterThanOrEqual(2); // other tests' long-expired rows may go too
    expect(await left(ids)).toEqual([recent, live].sort());
    expect(await left([old, older])).toEqual([]);
  });

  it("works in batches until none is left", async () => {
    const { ids } = await userWithRows(Array.from({ length: 7 }, (_, i) => -EXPIRED_ROW_GRACE_MS - (i + 1) * HOUR));
    await deleteExpiredSessions(new Date(), 3);
    expect(await left(ids)).toEqual([]);
  });

  it("skips a row someone holds instead of waiting for it; the next run takes it", async () => {
    const { ids } = await userWithRows([-EXPIRED_ROW_GRACE_MS - HOUR, -EXPIRED_ROW_GRACE_MS - 2 * HOUR]);
    const [held, free] = ids as [string, string];
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = getDb().transaction(async (tx) => {
      await tx.execute(sql`select id from session where id = ${held} for update`);
      locked();
      await released;
    });
    await isLocked;
    await deleteExpiredSessions(); // returns although `held` is locked
    expect(await left(ids)).toEqual([held]);
    release();
    await holder;
    await deleteExpiredSessions();
    expect(await left(ids)).toEqual([]);
    expect(await getDb().select().from(session).where(eq(session.id, free))).toEqual([]);
  });
});
