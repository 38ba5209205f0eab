// "Trust this device" for the second step, tied to the app's own device cookie
// (device-identity.ts), not to better-auth's separate trust_device cookie: the trust is a
// column on the device's known_device row, so it ends with everything that ends the
// device. Ended by: revoking a session of that device, "sign out everywhere", a password
// reset, turning two-factor off, and "This wasn't me" (which deletes the row).
import { and, eq, gt, inArray, isNotNull, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { knownDevice } from "@/db/schema";

/** How long a trusted device skips the second step. */
export const TRUST_DAYS = 30;

export async function isTrustedDevice(userId: string, deviceId: string): Promise<boolean> {
  const [row] = await getDb()
    .select({ one: sql<number>`1` })
    .from(knownDevice)
    .where(and(eq(knownDevice.userId, userId), eq(knownDevice.deviceId, deviceId), gt(knownDevice.twoFactorTrustedUntil, sql`now()`)))
    .limit(1);
  return !!row;
}

/** After a passed second step with "trust this device" ticked. */
export async function trustDevice(userId: string, deviceId: string): Promise<void> {
  await getDb()
    .update(knownDevice)
    .set({ twoFactorTrustedUntil: sql`now() + make_interval(days => ${TRUST_DAYS})` })
    .where(and(eq(knownDevice.userId, userId), eq(knownDevice.deviceId, deviceId)));
}

/** Ends the trust of these devices, or of every device of the user (no list). */
export async function endDeviceTrust(userId: string, deviceIds?: (string | null | undefined)[]): Promise<void> {
  const ids = deviceIds?.filter((d): d is string => typeof d === "string");
  if (ids && ids.length === 0) return;
  await getDb()
    .update(knownDevice)
    .set({ twoFactorTrustedUntil: null })
    .where(and(eq(knownDevice.userId, userId), isNotNull(knownDevice.twoFactorTrustedUntil), ids ? inArray(knownDevice.deviceId, ids) : undefined));
}
