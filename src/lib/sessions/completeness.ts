// Knowing when the index may have lost sessions, and making it complete again.
//
// A tag (the 8 characters every token of a user starts with, keys.ts) is "complete" when
// its marker `rv:{tag}:c` exists. Only a rebuild of that tag from Postgres writes it;
// records keep it alive. So after a FLUSHALL, a restart without persistence, or on a
// fresh Redis, no tag is complete: a miss goes to Postgres, a list is answered from
// Postgres, and the tag is rebuilt at once (one indexed query, one script). Once a tag
// is complete, a miss means "no such live session" and is refused without Postgres.
//
// The first incomplete tag an instance meets also starts the full rebuild in the
// background (progress logged), unless a full rebuild already finished since the data
// was lost (the `rv:built` key, lost with the data) or another instance holds the claim.
import { and, asc, gt, inArray, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { session as sessionTable, user as userTable } from "@/db/schema";
import { env } from "@/lib/env";
import { getSessionIndex } from "@/lib/session-index";
import { runOnceInBackground } from "@/lib/background";
import { IN_CURRENT_GENERATION, toRecord } from "./records";

/** How long a tag marker lives without records: no session of the tag outlives it. */
const markerTtlMs = () => env().SESSION_MAX_LIFETIME * 1000;

const tagOfTokenSql = sql`left(${sessionTable.token}, 8)`;

/** Rebuilds one tag: its live sessions in Postgres (every user sharing the tag) go in,
 *  then the marker. Each user's generation comes from the user row, for the users with
 *  sessions here and for `users` (a revoke-all Redis missed must land even when no session
 *  of the new generation is left to carry it). Returns how many sessions the index lacked. */
export async function rebuildTag(tag: string, users: string[] = []): Promise<number> {
  const rows = await getDb()
    .select()
    .from(sessionTable)
    .where(and(sql`${tagOfTokenSql} = ${tag}`, gt(sessionTable.expiresAt, sql`now()`), IN_CURRENT_GENERATION));
  const generations = await generationsOf([...new Set([...users, ...rows.map((r) => r.userId)])]);
  return getSessionIndex().rebuildTag(tag, rows.map(toRecord), markerTtlMs(), generations);
}

/** The current session generation of each user (only those above 0 matter). */
async function generationsOf(userIds: string[]): Promise<{ userId: string; generation: number }[]> {
  if (userIds.length === 0) return [];
  const rows = await getDb()
    .select({ userId: userTable.id, generation: userTable.sessionGeneration })
    .from(userTable)
    .where(and(inArray(userTable.id, userIds), gt(userTable.sessionGeneration, 0)));
  return rows;
}

/** The index may have lost this tag's sessions: rebuild it now, off the request path,
 *  and start the full rebuild if the index lost its data. */
export function scheduleTagRebuild(tag: string): void {
  runOnceInBackground(`rebuild:${tag}`, () => rebuildTag(tag));
  scheduleFullRebuild();
}

/** Starts the full rebuild unless one finished since the data was lost or is running. */
export function scheduleFullRebuild(): void {
  runOnceInBackground("rebuild:all", async () => {
    const index = getSessionIndex();
    if (await index.isBuilt()) return;
    await rebuildAllTags();
  });
}

/**
 * Rebuilds every tag Postgres has live sessions for, in tag order, then records that the
 * index is built. One instance at a time (a claim in Redis); nobody waits on it: requests
 * for a tag not rebuilt yet fall back to Postgres and rebuild that tag first.
 */
export async function rebuildAllTags(options: { batch?: number; force?: boolean } = {}): Promise<{ tags: number; sessions: number }> {
  const index = getSessionIndex();
  const claimMs = 10 * 60_000;
  if (!options.force && !(await index.claimRebuild(claimMs))) return { tags: 0, sessions: 0 };
  const batch = options.batch ?? 500;
  const started = Date.now();
  let tags = 0;
  let sessions = 0;
  let after = "";
  try {
    for (;;) {
      const page = await getDb()
        .select({ tag: tagOfTokenSql })
        .from(sessionTable)
        .where(and(gt(sessionTable.expiresAt, sql`now()`), sql`${tagOfTokenSql} collate "C" > ${after}`))
        .groupBy(tagOfTokenSql)
        .orderBy(asc(sql`${tagOfTokenSql} collate "C"`))
        .limit(batch);
      if (page.length === 0) break;
      // One query for the page's sessions, then one script per tag.
      const pageTags = page.map((p) => p.tag as string);
      const rows = await getDb()
        .select()
        .from(sessionTable)
        .where(and(inArray(tagOfTokenSql, pageTags), gt(sessionTable.expiresAt, sql`now()`), IN_CURRENT_GENERATION));
      const byTag = new Map<string, typeof rows>(pageTags.map((t) => [t, []]));
      for (const row of rows) byTag.get(row.token.slice(0, 8))?.push(row);
      for (const [tag, tagRows] of byTag) sessions += await index.rebuildTag(tag, tagRows.map(toRecord), markerTtlMs());
      tags += page.length;
      after = page[page.length - 1]!.tag as string;
      console.info(`[sessions] index rebuild: ${tags} tags done, ${sessions} sessions restored, ${Date.now() - started} ms`);
    }
    await index.markBuilt();
    console.info(`[sessions] index rebuild finished: ${tags} tags, ${sessions} sessions restored in ${Date.now() - started} ms`);
    return { tags, sessions };
  } finally {
    if (!options.force) await index.releaseRebuild().catch(() => undefined);
  }
}
