// "New sign-in" alerts (ASVS 6.3.5). Which sign-ins are from a new device is decided by the
// device cookie (device-identity.ts): a browser without a valid cookie known for the user,
// on an account that already had another device. This module only says so, by email, with
// a link to the Active devices panel. The email is rendered and sent after the sign-in
// answer; nothing here can fail the sign-in.
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { user as userTable } from "@/db/schema";
import { deviceOf } from "@/lib/device";
import { sendAuthEmail } from "@/lib/mail";
import { asSignInMethod } from "@/lib/sign-in-context";
import { env } from "@/lib/env";
import type { SessionRow } from "@/lib/sessions/lifecycle";
import { accountLinks } from "./emails";
import { recordSecurityEvent } from "@/lib/security/events";
import { issueReportToken, reportSignInUrl } from "@/lib/security/report-sign-in";

export async function notifyNewDevice(session: SessionRow): Promise<void> {
  try {
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
      device: deviceOf(session.userAgent, session.ipAddress, session.location),
      signInMethod: asSignInMethod(session.signInMethod),
      providerName: env().OIDC_NAME,
      activeDevicesUrl: accountLinks().activeDevices,
      // The device id too: confirming the report forgets that device (lib/known-devices.ts).
      reportSignInUrl: reportSignInUrl(await issueReportToken({ ...session, deviceId: (session as { deviceId?: string | null }).deviceId })),
    });
    recordSecurityEvent({ userId: session.userId, type: "new-device-alert", sessionId: session.id, userAgent: session.userAgent ?? null, ipAddress: session.ipAddress, location: session.location });
  } catch (err) {
    console.error(`[auth] new-device alert for session ${session.id} failed: ${(err as Error).message}`);
  }
}
