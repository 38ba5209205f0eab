// Key derivation shared by every index implementation, the proxy and the hooks.
//
// Every Redis key of one user carries the same hash tag `{tag}`, so all of them live
// in one Redis Cluster slot and a Lua script may touch them together. The proxy only
// has the cookie's token, not the user id, so the token itself starts with the tag:
// the better-auth hook prefixes each new token with userTag(userId).
import { createHash } from "node:crypto";
import { asDeviceType, type Device, type DeviceType } from "@/lib/device";
import type { SignInContext, SignInMethod } from "@/lib/sign-in-context";

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
    /** validity entry of one session, by token hash: STRING, expires with the session.
     *  Once the session ends it holds `ended:<reason>` until that same expiry, so a
     *  replayed cookie is refused by the index alone. */
    validity: (tokenHash: string) => `${base}:t:${tokenHash}`,
    /** "this tag is complete": written only by a rebuild of the tag from Postgres, kept
     *  alive (never created) by records. Absent = the index may have lost sessions. */
    complete: `${base}:c`,
    /** HASH userId -> session generation: a session whose generation is lower was ended
     *  by a revoke-all (O(1): only this field and the kept session change). */
    generations: `${base}:g`,
    validityPrefix: `${base}:t:`,
    /** the user's sessions ordered by creation time: ZSET tokenHash -> createdAt */
    byCreation: (userId: string) => `${base}:u:${userId}:z`,
    /** SET of token hashes recorded in a generation the index has not raised the user to
     *  yet (a sign-in racing a revoke-all): the revoke-all keeps them listed. 5 minutes. */
    nextGeneration: (userId: string) => `${base}:u:${userId}:n`,
  };
}

/** Keys outside any tag (no multi-key operation touches them). */
export function globalKeysFor(prefix: string) {
  return {
    /** Written when a full rebuild finished: absent after data loss (or on a fresh Redis). */
    built: `${prefix}:built`,
    /** Held by the instance running the full rebuild, so only one runs at a time. */
    rebuilding: `${prefix}:rebuilding`,
  };
}

/** How an ended session's validity value starts. */
export const ENDED_PREFIX = "ended:";

/** Why a session ended, as kept in its validity value. */
export type EndReason = "revoked" | "evicted" | "idle" | "expired";

export function decodeEnded(raw: string): EndReason | null {
  if (!raw.startsWith(ENDED_PREFIX)) return null;
  const r = raw.slice(ENDED_PREFIX.length);
  return r === "evicted" || r === "idle" || r === "expired" ? r : "revoked";
}

/** What a validity value carries besides the per-request fields (for the device list). */
export interface StoredDevice extends Device, SignInContext {
  createdAt: number;
}

// Small numbers instead of words in the value: every byte counts (< 512 B per session with
// the key and the ZSET entry: docs/benchmarks.md, "Memory"). The orders are part of the
// stored format: append, never reorder. A device type written as a word (values from before
// the codes) still reads.
const DEVICE_TYPE_CODES: readonly DeviceType[] = ["desktop", "mobile", "tablet", "console", "smarttv", "wearable", "embedded", "unknown"];
export const METHOD_CODES: readonly (SignInMethod | null)[] = [null, "password", "email-verification", "device-code", "github", "google", "oidc", "password+totp", "password+backup-code", "passkey", "impersonation",
  "github+totp", "github+backup-code", "google+totp", "google+backup-code", "oidc+totp", "oidc+backup-code"];

const seconds = (ms: number) => Math.floor(ms / 1000);

/**
 * How a validity entry is stored: one string, the per-request fields first so the proxy's
 * parse stops early, the device details last as a compact JSON array whose trailing nulls
 * are left out (a value written before a field existed reads it as null):
 * `sessionId|userId|expiresAt|lastActiveAt|generation|createdAt|["browser","os",type,"label","ip","location",method,firstSeen,"declaredClient"]`
 * with `type` and `method` as codes (above) and `firstSeen` as whole seconds before createdAt.
 */
export function encodeValidity(
  e: { sessionId: string; userId: string; expiresAt: number; lastActiveAt: number; generation?: number },
  device?: StoredDevice,
): string {
  const head = `${e.sessionId}|${e.userId}|${e.expiresAt}|${e.lastActiveAt}|${e.generation ?? 0}`;
  if (!device) return head;
  const d: (string | number | null)[] = [
    device.browser,
    device.os,
    DEVICE_TYPE_CODES.indexOf(device.deviceType),
    device.label,
    device.ipAddress,
    device.location,
    device.signInMethod ? METHOD_CODES.indexOf(device.signInMethod) : null,
    device.deviceFirstSeenAt === null ? null : seconds(device.createdAt) - seconds(device.deviceFirstSeenAt),
    device.declaredClient ?? null,
  ];
  while (d.length > 5 && d.at(-1) == null) d.pop();
  return `${head}|${device.createdAt}|${JSON.stringify(d)}`;
}

export function decodeValidity(raw: string) {
  if (raw.startsWith(ENDED_PREFIX)) return null;
  const [sessionId, userId, expiresAt, lastActiveAt, , createdAt] = raw.split("|", 6);
  if (!sessionId || !userId || !expiresAt || !lastActiveAt) return null;
  // ValidityEntry (types.ts, which imports from here: spelled out to keep the graph acyclic).
  const entry: { sessionId: string; userId: string; expiresAt: number; lastActiveAt: number; createdAt?: number } = { sessionId, userId, expiresAt: Number(expiresAt), lastActiveAt: Number(lastActiveAt) };
  // Before the device details: a route that needs the sign-in time (a fresh sign-in for
  // revoke) reads it from here instead of from Postgres.
  if (createdAt && Number.isFinite(Number(createdAt))) entry.createdAt = Number(createdAt);
  return entry;
}

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

/** The device details at the end of a validity value (null if absent or malformed). */
export function decodeDevice(raw: string): StoredDevice | null {
  const fifth = nthPipe(raw, 5);
  const sixth = fifth < 0 ? -1 : raw.indexOf("|", fifth + 1);
  if (sixth < 0) return null;
  try {
    const [browser, os, deviceType, label, ipAddress, location, method, firstSeen, declaredClient] = JSON.parse(raw.slice(sixth + 1)) as unknown[];
    const createdAt = Number(raw.slice(fifth + 1, sixth));
    return {
      createdAt,
      browser: str(browser),
      os: str(os),
      deviceType: typeof deviceType === "number" ? (DEVICE_TYPE_CODES[deviceType] ?? "unknown") : asDeviceType(str(deviceType)),
      label: str(label) ?? "Unknown device",
      ipAddress: str(ipAddress),
      location: str(location),
      signInMethod: (typeof method === "number" && METHOD_CODES[method]) || null,
      deviceFirstSeenAt: typeof firstSeen === "number" && Number.isInteger(firstSeen) ? (seconds(createdAt) - firstSeen) * 1000 : null,
      // Only when present: a browser's session (most of them) carries no such field.
      ...(typeof declaredClient === "string" ? { declaredClient } : {}),
    };
  } catch {
    return null;
  }
}

function nthPipe(s: string, n: number): number {
  let at = -1;
  for (let i = 0; i < n; i++) {
    at = s.indexOf("|", at + 1);
    if (at < 0) return -1;
  }
  return at;
}
