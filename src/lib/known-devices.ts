// Known devices as the per-account sign-in limit sees them (lib/auth/rate-limit.ts): a
// browser holding a device cookie known for the account is exempt from the account's budget
// (up to a few failures of its own), so a stranger's guesses never lock the owner out. That
// exemption must end when the owner says a device is not theirs:
//  - "This wasn't me" (lib/security/report-sign-in.ts): the reported device is forgotten
//    (its known_device row deleted). It is then a new device like any other: limited with
//    the account, and announced again if it ever signs in.
//  - a password reset: every device of the account loses the exemption until it signs in
//    again with the new password. Forgetting them all would also silence the new-device
//    alerts (the next sign-in would be the account's "first" device), so instead the reset
//    leaves a marker, and a device is exempt only if it signed in (known_device.last_seen_at,
//    bumped at every sign-in) after the latest marker.
//
// The marker lives in better-auth's verification table (identifier + expiry), where the app
// already keeps its single-use records, because known_device has no column for it: a column
// (`limit_exempt_since`) would be the cleaner home; see docs/front-door.md. A side module:
// lib/auth and lib/security both use it, and it imports only the database.
import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { knownDevice, user as userTable, verification } from "@/db/schema";

const MARKER_PREFIX = "limit-exemptions-ended:";
/**
 * How long a marker is kept. A device that has not signed in since the marker stopped
 * renewing its cookie then, and browsers cap a cookie's life at 400 days (the device
 * cookie's Max-Age): after that no cookie the marker applies to is left.
 */
const MARKER_TTL_DAYS = 400;

/**
 * Whether this device cookie exempts a sign-in to the account with this email: the device
 * is known for the account and has signed in since the account's latest reset (Postgres's
 * clock on both sides, so no clock skew between instances comes into it).
 */
export async function isLimitExemptDevice(email: string, deviceId: string): Promise<boolean> {
  const [row] = await getDb()
    .select({ one: sql<number>`1` })
    .from(knownDevice)
    .innerJoin(userTable, eq(userTable.id, knownDevice.userId))
    .where(
      and(
        eq(userTable.email, email.trim().toLowerCase()),
        eq(knownDevice.deviceId, deviceId),
        sql`not exists (
          select 1 from ${verification}
          where ${verification.identifier} = ${MARKER_PREFIX} || ${userTable.id}
            and ${verification.expiresAt} > now()
            and ${verification.createdAt} >= ${knownDevice.lastSeenAt}
        )`,
      ),
    )
    .limit(1);
  return !!row;
}

/** "This wasn't me": the device is no longer known for the user (no exemption, alerts again). */
export async function forgetKnownDevice(userId: string, deviceId: string): Promise<void> {
  await getDb()
    .delete(knownDevice)
    .where(and(eq(knownDevice.userId, userId), eq(knownDevice.deviceId, deviceId)));
}

/** A password reset: no device of the user is exempt until it signs in again. */
export async function endLimitExemptions(userId: string): Promise<void> {
  const identifier = MARKER_PREFIX + userId;
  await getDb().transaction(async (tx) => {
    await tx.delete(verification).where(eq(verification.identifier, identifier));
    await tx.insert(verification).values({
      id: randomUUID(),
      identifier,
      value: userId,
      // Postgres's clock, like known_device.last_seen_at it is compared with.
      createdAt: sql`now()`,
      updatedAt: sql`now()`,
      expiresAt: sql`now() + make_interval(days => ${MARKER_TTL_DAYS})`,
    });
  });
}
