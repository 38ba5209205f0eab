// Key derivation shared by every index implementation, the proxy and the hooks.
//
// Every Redis key of one user carries the same hash tag `{tag}`, so all of them live
// in one Redis Cluster slot and a Lua script may touch them together. The proxy only
// has the cookie's token, not the user id, so the token itself starts with the tag:
// the better-auth hook prefixes each new token with userTag(userId).
import { createHash } from "node:crypto";

export const TAG_LENGTH = 8;

/** 8 base64url chars of SHA-256(user id): spreads users over slots, reveals nothing useful. */
export function userTag(userId: string): string {
  return createHash("sha256").update(`revocable-tag:${userId}`).digest("base64url").slice(0, TAG_LENGTH);
}

/** The tag a token was minted with (its first TAG_LENGTH chars). */
export function tagOfToken(token: string): string {
  return token.slice(0, TAG_LENGTH);
}

/** Raw tokens never reach Redis or logs: only this 192-bit digest does. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("base64url").slice(0, 32);
}

export function keysFor(prefix: string, tag: string) {
  const base = `${prefix}:{${tag}}`;
  return {
    /** validity entry of one session, by token hash: STRING, expires with the session */
    validity: (tokenHash: string) => `${base}:t:${tokenHash}`,
    validityPrefix: `${base}:t:`,
    /** short-lived marker that a session was just removed: blocks a racing restore */
    tombstone: (tokenHash: string) => `${base}:x:${tokenHash}`,
    tombstonePrefix: `${base}:x:`,
    /** the user's sessions ordered by creation time: ZSET sessionId -> createdAt */
    byCreation: (userId: string) => `${base}:u:${userId}:z`,
    /** the user's device metadata: HASH sessionId -> JSON */
    devices: (userId: string) => `${base}:u:${userId}:d`,
  };
}

/** How a validity entry is stored: compact, one string. */
export function encodeValidity(e: { sessionId: string; userId: string; expiresAt: number; lastActiveAt: number }): string {
  return `${e.sessionId}|${e.userId}|${e.expiresAt}|${e.lastActiveAt}`;
}

export function decodeValidity(raw: string) {
  const [sessionId, userId, expiresAt, lastActiveAt] = raw.split("|");
  if (!sessionId || !userId || !expiresAt || !lastActiveAt) return null;
  return { sessionId, userId, expiresAt: Number(expiresAt), lastActiveAt: Number(lastActiveAt) };
}
