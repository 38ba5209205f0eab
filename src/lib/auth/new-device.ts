// "New sign-in" alerts (ASVS 6.3.5). A device is known by a stable fingerprint of
// browser family + OS family + device type (src/lib/device.ts), remembered per user in
// known_device: session rows expire and are deleted, so they cannot answer "seen before?".
// Versions are left out on purpose: a browser update is not a new device.
//
// The first device a user ever signs in from is not alerted (there is nothing to compare
// it with, and the user has just proved they own the address). Every later sign-in from a
// fingerprint not in the list is alerted, with a link to the Active devices panel. A device
// becomes known on its first sign-in, so it is alerted exactly once.
//
// The known_device upsert runs before the sign-in response (two small queries); the email
// itself is rendered and sent afterwards. Nothing here can fail the sign-in.
import { and, eq, ne, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { knownDevice, user as userTable } from "@/db/schema";
import { deviceOf, parseUserAgent } from "@/lib/device";
import { sendAuthEmail } from "@/lib/mail";
import type { SessionRow } from "@/lib/sessions/lifecycle";
import { accountLinks } from "./emails";
import { recordSecurityEvent } from "@/lib/security/events";
import { issueReportToken, reportSignInUrl } from "@/lib/security/report-sign-in";

/** Remembers the device; true when this user had other devices but not this one. */
export async function rememberDevice(userId: string, fingerprint: string, label: string): Promise<boolean> {
  const db = getDb();
  const inserted = await db
    .insert(knownDevice)
    .values({ userId, deviceId: fingerprint, label })
    .onConflictDoUpdate({
      target: [knownDevice.userId, knownDevice.deviceId],
      set: { lastSeenAt: sql`now()`, label },
    })
    // xmax = 0 only for a freshly inserted row (Postgres MVCC): tells insert from update.
    .returning({ isNew: sql<boolean>`(xmax = 0)` });
  if (!inserted[0]?.isNew) return false;
  const [other] = await db
    .select({ deviceId: knownDevice.deviceId })
    .from(knownDevice)
    .where(and(eq(knownDevice.userId, userId), ne(knownDevice.deviceId, fingerprint)))
    .limit(1);
  return !!other;
}

export async function notifyIfNewDevice(session: SessionRow): Promise<void> {
  try {
    const device = parseUserAgent(session.userAgent);
    if (!(await rememberDevice(session.userId, device.fingerprint, device.label))) return;
    const [u] = await getDb()
      .select({ email: userTable.email, name: userTable.name })
      .from(userTable)
      .where(eq(userTable.id, session.userId));
    if (!u) return;
    void sendAuthEmail({
      template: "new-sign-in",
      to: u.email,
      name: u.name,
      at: session.createdAt,
      device: deviceOf(session.userAgent, session.ipAddress),
      activeDevicesUrl: accountLinks().activeDevices,
      reportSignInUrl: reportSignInUrl(await issueReportToken(session)),
    });
    recordSecurityEvent({ userId: session.userId, type: "new-device-alert", sessionId: session.id, userAgent: session.userAgent ?? null, ipAddress: session.ipAddress });
  } catch (err) {
    // An alert that cannot be worked out must not fail the sign-in.
    console.error(`[auth] new-device check failed for session ${session.id}: ${(err as Error).message}`);
  }
}
