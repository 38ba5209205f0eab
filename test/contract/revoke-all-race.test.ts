// Revoke-all by generation against concurrent sign-ins and restores, property-tested on a
// real Redis: every interleaving of the Postgres step and the index step of each
// operation must end with the index agreeing with Postgres (the model below) about
// every session: nothing Postgres ended is live, every valid session that was recorded
// is live and listed.
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { userTag } from "@/lib/session-index";
import { RedisSessionIndex } from "@/lib/session-index/redis";
import { makeSession } from "./session-index.contract";

type Op =
  | { kind: "sign-in" }
  | { kind: "restore"; pick: number }
  | { kind: "revoke-all"; pick: number }
  | { kind: "finish"; pick: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.constant<Op>({ kind: "sign-in" }),
  fc.nat(20).map((pick): Op => ({ kind: "restore", pick })),
  fc.nat(20).map((pick): Op => ({ kind: "revoke-all", pick })),
  fc.nat(20).map((pick): Op => ({ kind: "finish", pick })),
  fc.nat(20).map((pick): Op => ({ kind: "finish", pick })),
);

const client = new Redis(process.env.REDIS_URL!);
const index = new RedisSessionIndex(client, { prefix: `race${randomBytes(3).toString("hex")}` });
afterAll(async () => {
  await index.clear();
  client.disconnect();
});

describe("revoke-all races (fast-check, real Redis)", () => {
  it("a sign-in after a revoke-all stays valid and listed; a restore never resurrects", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 14 }), async (ops) => {
        const user = `race_${randomBytes(6).toString("hex")}`;
        // Postgres, modelled: the user's generation, and each row's generation (the
        // trigger stamps the user's generation at insert; a revoke-all moves the kept row).
        let userGen = 0;
        const rows = new Map<string, { session: ReturnType<typeof makeSession>; gen: number; recorded: boolean }>();
        const pending: (() => Promise<void>)[] = [];
        const validInPg = (id: string) => (rows.get(id)?.gen ?? -1) >= userGen;

        for (const o of ops) {
          const ids = [...rows.keys()];
          if (o.kind === "sign-in") {
            const gen = userGen; // insert: reads the committed generation
            const session = makeSession(user, { generation: gen });
            rows.set(session.sessionId, { session, gen, recorded: false });
            pending.push(async () => {
              await index.record({ ...session, generation: gen }, { kind: "new", limit: 0 });
              rows.get(session.sessionId)!.recorded = true;
            });
          } else if (o.kind === "restore" && ids.length) {
            const id = ids[o.pick % ids.length]!;
            if (!validInPg(id)) continue; // the fallback's query compares generations
            const snapshot = { ...rows.get(id)!.session, generation: rows.get(id)!.gen }; // the row as read now
            pending.push(async () => void (await index.record(snapshot, { kind: "restore" })));
          } else if (o.kind === "revoke-all") {
            // The caller's own session was checked first, so it is one already recorded.
            const callers = ids.filter((id) => rows.get(id)!.recorded);
            const keepId = callers.length ? callers[o.pick % callers.length]! : null;
            userGen += 1; // UPDATE user ... RETURNING
            const g = userGen;
            const keepRow = keepId ? rows.get(keepId)! : null;
            const kept = keepRow && keepRow.gen >= g - 1 ? keepRow : null; // UPDATE session ... WHERE generation >= g - 1
            if (kept) kept.gen = g;
            const keepRef = kept ? { sessionId: kept.session.sessionId, tokenHash: kept.session.tokenHash } : null;
            pending.push(async () => void (await index.endAllBut(user, g, keepRef)));
          } else if (o.kind === "finish" && pending.length) {
            await pending.splice(o.pick % pending.length, 1)[0]!();
          }
        }
        for (const step of pending.splice(0)) await step();

        const listed = new Set((await index.list(user)).map((s) => s.sessionId));
        for (const [id, row] of rows) {
          const found = await index.check(userTag(user), row.session.tokenHash);
          const valid = validInPg(id);
          // Never live in the index unless valid in Postgres (no resurrection).
          if (found.kind === "live") expect(valid, `session ${id} live but ended in Postgres`).toBe(true);
          // A valid session whose sign-in was recorded is live and listed.
          if (valid && row.recorded) {
            expect(found.kind, `valid session ${id} refused by the index`).toBe("live");
            expect(listed.has(id), `valid session ${id} not listed`).toBe(true);
          }
          if (!valid) expect(listed.has(id), `ended session ${id} listed`).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  }, 120_000);
});
