// One contract, every implementation: Redis (standalone or Cluster) and in-process.
// Each implementation's test file calls runSessionIndexContract with a factory.
import { randomBytes } from "node:crypto";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { SessionIndex, SessionToRecord } from "@/lib/session-index";
import { hashToken, userTag } from "@/lib/session-index";

export interface ContractTarget {
  index: SessionIndex;
  /** Optional deeper checks an implementation offers (TTL on every key, slots...). */
  inspect?: {
    keysOfUser(userId: string): Promise<string[]>;
    ttlMs(key: string): Promise<number>;
    slotOf(key: string): number;
  };
  close(): Promise<void>;
}

const id = () => randomBytes(12).toString("base64url");

export function makeSession(userId: string, over: Partial<SessionToRecord> = {}): SessionToRecord & { token: string } {
  const token = userTag(userId) + id();
  const now = Date.now();
  return {
    token,
    sessionId: id(),
    userId,
    tokenHash: hashToken(token),
    createdAt: now,
    expiresAt: now + 3_600_000,
    lastActiveAt: now,
    browser: "Chrome 131",
    os: "macOS 10.15.7",
    deviceType: "desktop",
    label: "Chrome 131 on macOS",
    ipAddress: "203.0.113.7",
    location: "Cape Town, South Africa",
    signInMethod: "password",
    deviceFirstSeenAt: Math.floor(now / 1000) * 1000 - 60_000, // whole seconds, as rows give it
    ...over,
  };
}

export function runSessionIndexContract(name: string, create: () => Promise<ContractTarget>) {
  describe(`session index contract: ${name}`, () => {
    let t: ContractTarget;
    let user: string;

    beforeEach(async () => {
      t ??= await create();
      user = `user_${id()}`;
    });
    afterAll(async () => t?.close());

    const lookup = (s: { userId: string; tokenHash: string }) => t.index.lookup(userTag(s.userId), s.tokenHash);

    it("records a session and finds it by token hash", async () => {
      const s = makeSession(user);
      expect(await t.index.record(s, { kind: "new", limit: 3 })).toEqual({ recorded: true, complete: false, evicted: [] });
      expect(await lookup(s)).toEqual({
        sessionId: s.sessionId,
        userId: user,
        expiresAt: s.expiresAt,
        lastActiveAt: s.lastActiveAt,
        createdAt: s.createdAt, // what a fresh-sign-in check reads, with no query
      });
      expect(await t.index.lookup(userTag(user), hashToken("not-a-token"))).toBeNull();
    });

    it("lists device details, and counts live sessions", async () => {
      const a = makeSession(user, { createdAt: Date.now() - 2000 });
      const b = makeSession(user, { browser: "Mobile Safari 17", os: "iOS 17.5", deviceType: "mobile", label: "Mobile Safari on iPhone", ipAddress: null });
      await t.index.record(a, { kind: "new", limit: 0 });
      await t.index.record(b, { kind: "new", limit: 0 });
      const list = await t.index.list(user);
      expect(list.map((s) => s.sessionId)).toEqual([a.sessionId, b.sessionId]);
      expect(list[1]).toMatchObject({ browser: "Mobile Safari 17", os: "iOS 17.5", deviceType: "mobile", label: "Mobile Safari on iPhone", ipAddress: null, createdAt: b.createdAt });
      expect(await t.index.count(user)).toBe(2);
      expect(await t.index.list(`someone_else_${id()}`)).toEqual([]);
    });

    it("lists each session's sign-in context: location, method, when its device was first seen", async () => {
      const a = makeSession(user, { createdAt: Date.now() - 2000 });
      const b = makeSession(user, { location: null, signInMethod: "email-verification", deviceFirstSeenAt: null });
      const c = makeSession(user, { createdAt: Date.now() + 1, location: "São Paulo, Brazil", signInMethod: null, deviceFirstSeenAt: 1_700_000_000_000 });
      for (const s of [a, b, c]) await t.index.record(s, { kind: "new", limit: 0 });
      const list = await t.index.list(user);
      expect(list.map((s) => s.sessionId)).toEqual([a.sessionId, b.sessionId, c.sessionId]);
      expect(list.map(({ location, signInMethod, deviceFirstSeenAt }) => ({ location, signInMethod, deviceFirstSeenAt }))).toEqual([
        { location: "Cape Town, South Africa", signInMethod: "password", deviceFirstSeenAt: a.deviceFirstSeenAt },
        { location: null, signInMethod: "email-verification", deviceFirstSeenAt: null },
        { location: "São Paulo, Brazil", signInMethod: null, deviceFirstSeenAt: 1_700_000_000_000 },
      ]);
      expect(await t.index.list(`someone_else_${id()}`)).toEqual([]);
    });

    it("evicts the oldest sessions past the limit, and only for new sign-ins", async () => {
      const base = Date.now();
      const s = [0, 1, 2, 3].map((i) => makeSession(user, { createdAt: base + i }));
      for (const x of s.slice(0, 3)) expect((await t.index.record(x, { kind: "new", limit: 3 })).evicted).toEqual([]);
      const r = await t.index.record(s[3]!, { kind: "new", limit: 3 });
      expect(r.evicted).toEqual([s[0]!.sessionId]);
      expect(await lookup(s[0]!)).toBeNull();
      // The evicted one cannot be restored by a request racing its row's deletion.
      expect((await t.index.record(s[0]!, { kind: "restore" })).recorded).toBe(false);
      expect((await t.index.list(user)).map((x) => x.sessionId).sort()).toEqual(s.slice(1).map((x) => x.sessionId).sort());
      // A restore (index catching up with Postgres) never evicts.
      const old = makeSession(user, { createdAt: base - 10 });
      expect(await t.index.record(old, { kind: "restore" })).toEqual({ recorded: true, complete: false, evicted: [] });
      expect(await t.index.count(user)).toBe(4);
    });

    it("treats limit 0 as unlimited", async () => {
      for (let i = 0; i < 6; i++) await t.index.record(makeSession(user), { kind: "new", limit: 0 });
      expect(await t.index.count(user)).toBe(6);
    });

    it("does not count expired sessions against the limit", async () => {
      const expired = makeSession(user, { createdAt: Date.now() - 5000, expiresAt: Date.now() + 150 });
      await t.index.record(expired, { kind: "new", limit: 1 });
      await new Promise((r) => setTimeout(r, 250));
      expect(await lookup(expired)).toBeNull();
      const fresh = makeSession(user);
      const r = await t.index.record(fresh, { kind: "new", limit: 1 });
      expect(r.evicted).toEqual([]);
      expect(await t.index.count(user)).toBe(1);
    });

    it("removes sessions by id + token hash, and reports which were present", async () => {
      const a = makeSession(user);
      const b = makeSession(user);
      await t.index.record(a, { kind: "new", limit: 0 });
      await t.index.record(b, { kind: "new", limit: 0 });
      const removed = await t.index.remove(user, [
        { sessionId: a.sessionId, tokenHash: a.tokenHash },
        { sessionId: "missing", tokenHash: hashToken("missing") },
      ]);
      expect(removed).toEqual([a.sessionId]);
      expect(await lookup(a)).toBeNull();
      expect(await lookup(b)).not.toBeNull();
    });

    it("removes every session but the kept one in one call", async () => {
      const keep = makeSession(user);
      const others = [makeSession(user), makeSession(user), makeSession(user)];
      for (const s of [keep, ...others]) await t.index.record(s, { kind: "new", limit: 0 });
      const removed = await t.index.remove(user, [], { keep: keep.sessionId });
      expect(removed.sort()).toEqual(others.map((s) => s.sessionId).sort());
      expect(await lookup(keep)).not.toBeNull();
      for (const s of others) expect(await lookup(s)).toBeNull();
      expect((await t.index.remove(user, [], { keep: null })).length).toBe(1);
      expect(await t.index.count(user)).toBe(0);
    });

    it("refuses to restore a removed session (it is remembered as ended)", async () => {
      const s = makeSession(user);
      await t.index.record(s, { kind: "new", limit: 0 });
      await t.index.remove(user, [{ sessionId: s.sessionId, tokenHash: s.tokenHash }]);
      expect(await t.index.record(s, { kind: "restore" })).toEqual({ recorded: false, complete: false, evicted: [] });
      // A sign-in whose record lands after a revoke-all already removed it stays removed.
      expect(await t.index.record(s, { kind: "new", limit: 3 })).toEqual({ recorded: false, complete: false, evicted: [] });
      expect(await lookup(s)).toBeNull();
    });

    it("touch stores last-active, never extends expiry, never resurrects", async () => {
      const s = makeSession(user);
      await t.index.record(s, { kind: "new", limit: 0 });
      const later = s.lastActiveAt + 90_000;
      await t.index.touch(userTag(user), s.tokenHash, { sessionId: s.sessionId, userId: user, expiresAt: s.expiresAt, lastActiveAt: later });
      expect((await lookup(s))?.lastActiveAt).toBe(later);
      expect((await t.index.list(user))[0]?.lastActiveAt).toBe(later);
      await t.index.remove(user, [{ sessionId: s.sessionId, tokenHash: s.tokenHash }]);
      await t.index.touch(userTag(user), s.tokenHash, { sessionId: s.sessionId, userId: user, expiresAt: s.expiresAt, lastActiveAt: later + 1 });
      expect(await lookup(s)).toBeNull();
    });

    it("expires validity entries with their session", async () => {
      const s = makeSession(user, { expiresAt: Date.now() + 150 });
      await t.index.record(s, { kind: "new", limit: 0 });
      expect(await lookup(s)).not.toBeNull();
      await new Promise((r) => setTimeout(r, 250));
      expect(await lookup(s)).toBeNull();
      expect(await t.index.list(user)).toEqual([]);
    });

    it("gives every key a TTL no later than its sessions' expiry, all in one slot", async ({ skip }) => {
      if (!t.inspect) return skip();
      const a = makeSession(user, { expiresAt: Date.now() + 60_000 });
      const b = makeSession(user, { expiresAt: Date.now() + 120_000 });
      await t.index.record(a, { kind: "new", limit: 0 });
      await t.index.record(b, { kind: "new", limit: 0 });
      await t.index.remove(user, [{ sessionId: a.sessionId, tokenHash: a.tokenHash }]);
      await t.index.rebuildTag(userTag(user), [], 120_000);
      const keys = await t.inspect.keysOfUser(user);
      expect(keys.length).toBe(4); // a's ended value, b's validity entry, the sessions ZSET, the marker
      for (const key of keys) {
        const ttl = await t.inspect.ttlMs(key);
        expect(ttl, key).toBeGreaterThan(0);
        // a's ended value keeps a's own expiry (60 s), not a longer one.
        expect(ttl, key).toBeLessThanOrEqual(key.includes(a.tokenHash) ? 60_000 : 120_000);
      }
      expect(new Set(keys.map((k) => t.inspect!.slotOf(k))).size).toBe(1);
    });

    it("remembers an ended session as ended, with its reason, until its own expiry", async () => {
      const a = makeSession(user);
      const b = makeSession(user, { createdAt: a.createdAt + 1 });
      const c = makeSession(user, { createdAt: a.createdAt + 2 });
      await t.index.record(a, { kind: "new", limit: 0 });
      await t.index.record(b, { kind: "new", limit: 0 });
      await t.index.remove(user, [{ sessionId: a.sessionId, tokenHash: a.tokenHash }]);
      expect(await t.index.check(userTag(user), a.tokenHash)).toEqual({ kind: "ended", reason: "revoked" });
      // Removing it again reports nothing present and keeps it ended.
      expect(await t.index.remove(user, [{ sessionId: a.sessionId, tokenHash: a.tokenHash }], undefined, "idle")).toEqual([]);
      expect(await t.index.check(userTag(user), a.tokenHash)).toEqual({ kind: "ended", reason: "revoked" });
      expect((await t.index.record(c, { kind: "new", limit: 1 })).evicted).toEqual([b.sessionId]);
      expect(await t.index.check(userTag(user), b.tokenHash)).toEqual({ kind: "ended", reason: "evicted" });
      expect(await t.index.check(userTag(user), c.tokenHash)).toEqual({ kind: "live", entry: expect.objectContaining({ sessionId: c.sessionId }) });
      // A hash the index never held is ended too (its expiry unknown: the short TTL).
      const lost = makeSession(user);
      await t.index.remove(user, [{ sessionId: lost.sessionId, tokenHash: lost.tokenHash }]);
      expect(await t.index.check(userTag(user), lost.tokenHash)).toEqual({ kind: "ended", reason: "revoked" });
      expect((await t.index.list(user)).map((x) => x.sessionId)).toEqual([c.sessionId]);
    });

    it("forgets an ended session when its cookie expires", async () => {
      const s = makeSession(user, { expiresAt: Date.now() + 200 });
      await t.index.record(s, { kind: "new", limit: 0 });
      await t.index.remove(user, [{ sessionId: s.sessionId, tokenHash: s.tokenHash }]);
      expect((await t.index.check(userTag(user), s.tokenHash)).kind).toBe("ended");
      await new Promise((r) => setTimeout(r, 300));
      expect(await t.index.check(userTag(user), s.tokenHash)).toEqual({ kind: "miss", complete: false });
    });

    it("is incomplete until its tag is rebuilt; a rebuild adds what is missing, never what ended", async () => {
      const tag = userTag(user);
      const kept = makeSession(user, { createdAt: Date.now() - 3000 });
      const lost = makeSession(user, { createdAt: Date.now() - 2000 });
      const revoked = makeSession(user, { createdAt: Date.now() - 1000 });
      await t.index.record(kept, { kind: "new", limit: 0 });
      await t.index.remove(user, [{ sessionId: revoked.sessionId, tokenHash: revoked.tokenHash }]);
      expect(await t.index.check(tag, lost.tokenHash)).toEqual({ kind: "miss", complete: false });
      expect(await t.index.listChecked(user)).toEqual({ complete: false, sessions: [expect.objectContaining({ sessionId: kept.sessionId })] });

      // Postgres' rows as read before the revoke: the revoked one must stay out.
      expect(await t.index.rebuildTag(tag, [kept, lost, revoked], 60_000)).toBe(1);
      expect(await t.index.check(tag, lost.tokenHash)).toMatchObject({ kind: "live" });
      expect(await t.index.check(tag, revoked.tokenHash)).toEqual({ kind: "ended", reason: "revoked" });
      expect(await t.index.check(tag, makeSession(user).tokenHash)).toEqual({ kind: "miss", complete: true });
      const listed = await t.index.listChecked(user);
      expect(listed.complete).toBe(true);
      expect(listed.sessions.map((x) => x.sessionId)).toEqual([kept.sessionId, lost.sessionId]);
      // Records keep the marker (and report it); clear() drops it.
      expect((await t.index.record(makeSession(user), { kind: "new", limit: 0 })).complete).toBe(true);
      await t.index.clear();
      expect(await t.index.check(tag, lost.tokenHash)).toEqual({ kind: "miss", complete: false });
    });

    it("revoke-all ends every other session by generation, keeps one, and refuses older restores", async () => {
      const tag = userTag(user);
      const keep = makeSession(user, { createdAt: Date.now() - 3000 });
      const others = [makeSession(user, { createdAt: Date.now() - 2000 }), makeSession(user, { createdAt: Date.now() - 1000 })];
      for (const s of [keep, ...others]) await t.index.record(s, { kind: "new", limit: 0 });
      expect(await t.index.endAllBut(user, 1, { sessionId: keep.sessionId, tokenHash: keep.tokenHash })).toEqual({ kept: true, dropped: 2 });
      expect(await t.index.check(tag, keep.tokenHash)).toMatchObject({ kind: "live" });
      for (const s of others) expect(await t.index.check(tag, s.tokenHash)).toEqual({ kind: "ended", reason: "revoked" });
      expect((await t.index.list(user)).map((x) => x.sessionId)).toEqual([keep.sessionId]);
      // A restore of a row read before the bump (generation 0) stays out; a sign-in in
      // the new generation is valid and listed.
      expect((await t.index.record(others[0]!, { kind: "restore" })).recorded).toBe(false);
      const fresh = makeSession(user, { generation: 1 });
      expect((await t.index.record(fresh, { kind: "new", limit: 0 })).recorded).toBe(true);
      expect((await t.index.list(user)).map((x) => x.sessionId)).toEqual([keep.sessionId, fresh.sessionId]);
      // Ending all (the operator's end-user, nothing kept) ends the kept one too.
      expect(await t.index.endAllBut(user, 2, null)).toEqual({ kept: false, dropped: 2 });
      expect(await t.index.check(tag, keep.tokenHash)).toEqual({ kind: "ended", reason: "revoked" });
      expect(await t.index.list(user)).toEqual([]);
    });

    it("revoke-all keeps listing a sign-in recorded in the new generation before it ran", async () => {
      const keep = makeSession(user, { createdAt: Date.now() - 5000 });
      await t.index.record(keep, { kind: "new", limit: 0 });
      const racing = makeSession(user, { generation: 1 }); // its row was inserted after the Postgres bump
      await t.index.record(racing, { kind: "new", limit: 0 });
      await t.index.endAllBut(user, 1, { sessionId: keep.sessionId, tokenHash: keep.tokenHash });
      expect((await t.index.list(user)).map((x) => x.sessionId).sort()).toEqual([keep.sessionId, racing.sessionId].sort());
      expect(await t.index.check(userTag(user), racing.tokenHash)).toMatchObject({ kind: "live" });
    });

    it("knows whether a full rebuild finished, and lets one holder claim it", async () => {
      await t.index.clear();
      expect(await t.index.isBuilt()).toBe(false);
      expect(await t.index.claimRebuild(60_000)).toBe(true);
      expect(await t.index.claimRebuild(60_000)).toBe(false);
      await t.index.markBuilt();
      await t.index.releaseRebuild();
      expect(await t.index.isBuilt()).toBe(true);
      expect(await t.index.claimRebuild(60_000)).toBe(true);
      await t.index.releaseRebuild();
    });
  });
}
