// Device identity by a device cookie (OWASP, "Slow Down Online Guessing Attacks with Device
// Cookies"): a random id in a long-lived, signed, HttpOnly cookie identifies one browser
// across its sessions. A user's known devices are the ids they have signed in with
// (known_device); a sign-in from a browser whose cookie is missing, forged, or not known
// for that user is a new device. Two Chrome-on-macOS machines are two devices.
//
// On every session creation (databaseHooks.session.create.before): read the cookie (an
// unsigned or tampered value counts as absent), or mint a new id; upsert known_device;
// put the id and the device's first-seen time on the session row; (re)set the cookie for
// another 400 days. After the session is stored, a new device of an account that already
// had one is announced (onNewDevice: the new-sign-in email). The very first device of an
// account is not: there is nothing to compare it with, and its owner has just proved
// they hold the address.
import { randomBytes } from "node:crypto";
import type { BetterAuthPlugin } from "better-auth";
import { and, eq, ne, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { knownDevice } from "@/db/schema";
import { parseUserAgent } from "@/lib/device";
import type { SessionRow } from "@/lib/sessions/lifecycle";
import { withDatabaseHooks } from "./database-hooks";

/** better-auth cookie name: rv.device_id (__Host-rv.device_id on https: lib/sessions/cookie.ts). */
const COOKIE = "device_id";
/** Browsers cap a cookie's lifetime at 400 days; every sign-in renews it. */
export const DEVICE_COOKIE_MAX_AGE = 400 * 24 * 60 * 60;
const ID = /^[A-Za-z0-9_-]{22}$/;

/** What this module needs of a better-auth endpoint context. */
interface CookieContext {
  getSignedCookie(name: string, secret: string): Promise<string | null | false>;
  setSignedCookie(name: string, value: string, secret: string, attributes?: Record<string, unknown>): Promise<unknown>;
  context: {
    secret: string;
    createAuthCookie(name: string, overrides?: Record<string, unknown>): { name: string; attributes: Record<string, unknown> };
  };
}

function isCookieContext(ctx: unknown): ctx is CookieContext {
  const c = ctx as Partial<CookieContext> | null | undefined;
  return typeof c?.getSignedCookie === "function" && typeof c.setSignedCookie === "function" && typeof c.context?.secret === "string";
}

/** The id of a request's valid device cookie, or null (missing, unsigned, forged, malformed). */
export async function deviceIdOf(ctx: unknown): Promise<string | null> {
  if (!isCookieContext(ctx)) return null;
  const value = await ctx.getSignedCookie(ctx.context.createAuthCookie(COOKIE).name, ctx.context.secret);
  return typeof value === "string" && ID.test(value) ? value : null;
}

async function setDeviceCookie(ctx: CookieContext, deviceId: string): Promise<void> {
  const cookie = ctx.context.createAuthCookie(COOKIE, { maxAge: DEVICE_COOKIE_MAX_AGE });
  await ctx.setSignedCookie(cookie.name, deviceId, ctx.context.secret, cookie.attributes);
}

interface Remembered {
  firstSeenAt: Date;
  /** New for this user, who had other devices: announce it. */
  announce: boolean;
}

/** Upserts the device for the user; says whether it is a new device worth announcing. */
export async function rememberDevice(userId: string, deviceId: string, label: string): Promise<Remembered> {
  const db = getDb();
  const [row] = await db
    .insert(knownDevice)
    .values({ userId, deviceId, label })
    .onConflictDoUpdate({ target: [knownDevice.userId, knownDevice.deviceId], set: { lastSeenAt: sql`now()`, label } })
    // xmax = 0 only for a freshly inserted row (Postgres MVCC): tells insert from update.
    .returning({ firstSeenAt: knownDevice.firstSeenAt, isNew: sql<boolean>`(xmax = 0)` });
  if (!row) throw new Error("known_device upsert returned nothing");
  if (!row.isNew) return { firstSeenAt: row.firstSeenAt, announce: false };
  const [other] = await db
    .select({ deviceId: knownDevice.deviceId })
    .from(knownDevice)
    .where(and(eq(knownDevice.userId, userId), ne(knownDevice.deviceId, deviceId)))
    .limit(1);
  return { firstSeenAt: row.firstSeenAt, announce: !!other };
}

export interface DeviceIdentityOptions {
  /** A session from a new device of an account that had others (after it is stored). */
  onNewDevice?: (session: SessionRow) => Promise<void> | void;
}

export const deviceIdentityPlugin = (options: DeviceIdentityOptions = {}) => {
  // Per session creation: the endpoint context is the same object for before and after.
  const toAnnounce = new WeakSet<object>();
  return {
    id: "device-identity",
    init: withDatabaseHooks({
      session: {
        create: {
          before: async (session, ctx) => {
            // A support session is the admin's browser, not one of the user's devices: it is
            // not remembered for the account and no new-sign-in email goes out (the user reads
            // "Support (…) signed in as you" in Recent activity instead).
            if ((session as { impersonatedBy?: string | null }).impersonatedBy) return;
            const deviceId = (await deviceIdOf(ctx)) ?? randomBytes(16).toString("base64url");
            const { firstSeenAt, announce } = await rememberDevice(session.userId, deviceId, parseUserAgent(session.userAgent).label);
            if (isCookieContext(ctx)) {
              await setDeviceCookie(ctx, deviceId);
              if (announce) toAnnounce.add(ctx);
            }
            return { data: { ...session, deviceId, deviceFirstSeenAt: firstSeenAt } };
          },
          after: async (session, ctx) => {
            if (!ctx || !toAnnounce.delete(ctx)) return;
            try {
              await options.onNewDevice?.(session as SessionRow);
            } catch (err) {
              // An alert that cannot be sent must not fail the sign-in.
              console.error(`[auth] new-device alert for session ${session.id} failed: ${(err as Error).message}`);
            }
          },
        },
      },
    }),
  } satisfies BetterAuthPlugin;
};
