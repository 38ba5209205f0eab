// better-auth's email callbacks -> the mail module. Every send is started, not awaited:
// rendering and delivery happen after the auth request has its answer, so a slow or
// failing mail provider never holds up or breaks the flow (sendAuthEmail never rejects).
import type { Session, User } from "better-auth";
import { deviceOf, type Device } from "@/lib/device";
import { env } from "@/lib/env";
import { runInBackground } from "@/lib/background";
import { locate } from "@/lib/location";
import { sendAuthEmail } from "@/lib/mail";
import { clientAddress } from "@/lib/client-address";
import { recordSecurityEvent } from "@/lib/security/events";
import { recordVerificationLink, uniqueVerificationLink, type LinkCredentials } from "./pending-signup";

/** Where the emails' "not you?" links lead. */
export function accountLinks() {
  const base = env().APP_URL.replace(/\/+$/, "");
  return {
    /** Reset the password: ends every session, the intruder's included. */
    secureAccount: `${base}/forgot-password`,
    /** The Active devices panel, where one device or all others can be signed out. */
    activeDevices: `${base}/settings/security`,
  };
}

export const VERIFY_EMAIL_EXPIRES_IN_HOURS = 24;
export const RESET_PASSWORD_EXPIRES_IN_MINUTES = 60;

/**
 * Makes the link unique, records it (only a recorded link verifies: see pending-signup.ts),
 * then mails it. All of it runs after the request has its answer.
 */
export function sendVerificationLink(
  { user, url: minted }: { user: User; url: string; token: string },
  { signedUpAgain, credentials }: { signedUpAgain: boolean; credentials?: LinkCredentials },
): Promise<void> {
  return new Promise<void>((resolve) =>
    runInBackground("verification email", async () => {
      try {
        const expiresIn = VERIFY_EMAIL_EXPIRES_IN_HOURS * 60 * 60;
        const { url, token } = await uniqueVerificationLink(minted, user, env().BETTER_AUTH_SECRET, expiresIn);
        await recordVerificationLink(user.id, token, expiresIn, credentials);
        await sendAuthEmail({
          template: "verify-email",
          to: user.email,
          // No name: until the address is verified it was typed by whoever signed up.
          url,
          expiresInHours: VERIFY_EMAIL_EXPIRES_IN_HOURS,
          signedUpAgain,
        });
      } finally {
        resolve();
      }
    }),
  );
}

/** better-auth's sendVerificationEmail (sign-up, sign-in before verification, resend). */
export async function sendVerificationEmail(data: { user: User; url: string; token: string }): Promise<void> {
  void sendVerificationLink(data, { signedUpAgain: false });
}

export async function sendPasswordResetEmail({ user, url }: { user: User; url: string }): Promise<void> {
  void sendAuthEmail({
    template: "password-reset",
    to: user.email,
    // An unverified account's name was typed by whoever signed up, maybe not the address's owner.
    name: user.emailVerified ? user.name : null,
    url,
    expiresInMinutes: RESET_PASSWORD_EXPIRES_IN_MINUTES,
  });
}

/**
 * After the address is verified (better-auth's afterEmailVerification). better-auth also
 * calls that hook when a verified user confirms a changed address; change-email is not
 * enabled here, so it means "new account" today. Enabling it needs a check on this path.
 */
export async function sendWelcomeEmail(user: User): Promise<void> {
  void sendAuthEmail({ template: "welcome", to: user.email, name: user.name, activeDevicesUrl: accountLinks().activeDevices });
}

function sendPasswordChanged(user: User, reason: "change" | "reset", device: Device): void {
  void sendAuthEmail({
    template: "password-changed",
    to: user.email,
    name: user.name,
    at: new Date(),
    reason,
    device,
    secureAccountUrl: accountLinks().secureAccount,
  });
}

/**
 * A reset by emailed link (better-auth's onPasswordReset): every session has ended. The
 * device is the one that used the link; its location is looked up now (no session holds it).
 */
export async function onPasswordReset({ user }: { user: User }, request?: Request): Promise<void> {
  try {
    const headers = request?.headers;
    const ip = clientAddress(headers);
    const location = await locate(ip);
    recordSecurityEvent({ userId: user.id, type: "password-reset", userAgent: headers?.get("user-agent") ?? null, ipAddress: ip, location });
    sendPasswordChanged(user, "reset", deviceOf(headers?.get("user-agent"), ip, location));
  } catch (err) {
    console.error(`[auth] password-changed email for user ${user.id} not sent: ${(err as Error).message}`);
  }
}

/**
 * A signed-in change (hooks.after on /change-password). The device is the session that
 * made the change, as recorded at its sign-in (what the Active devices panel shows).
 */
export async function onPasswordChanged(
  current: { user: User; session: Pick<Session, "userAgent" | "ipAddress"> & { location?: string | null } } | null | undefined,
  headers: Headers | undefined,
): Promise<void> {
  if (!current) return;
  try {
    const userAgent = current.session.userAgent || headers?.get("user-agent");
    const recorded = current.session.ipAddress;
    const ip = recorded || clientAddress(headers);
    // The location recorded at sign-in goes with the address recorded then.
    const location = recorded ? current.session.location : await locate(ip);
    recordSecurityEvent({ userId: current.user.id, type: "password-changed", userAgent, ipAddress: ip, location });
    sendPasswordChanged(current.user, "change", deviceOf(userAgent, ip, location));
  } catch (err) {
    console.error(`[auth] password-changed email for user ${current.user.id} not sent: ${(err as Error).message}`);
  }
}
