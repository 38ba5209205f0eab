// better-auth's email callbacks -> the mail module. Sends are not awaited beyond
// queueing, so a slow or failing mail provider never holds up or breaks the auth flow.
import type { User } from "better-auth";
import { parseUserAgent } from "@/lib/device";
import { env } from "@/lib/env";
import { sendAuthEmail } from "@/lib/mail";

export async function sendVerificationEmail({ user, url }: { user: User; url: string }): Promise<void> {
  void sendAuthEmail({ template: "verify-email", to: user.email, name: user.name, url, expiresInHours: 24 });
}

export async function sendPasswordResetEmail({ user, url }: { user: User; url: string }): Promise<void> {
  void sendAuthEmail({ template: "password-reset", to: user.email, name: user.name, url, expiresInMinutes: 60 });
}

function passwordChangedEmail(user: User, reason: "change" | "reset", headers: Headers | undefined) {
  const device = parseUserAgent(headers?.get("user-agent"));
  const ip = headers?.get("x-forwarded-for")?.split(",")[0]?.trim() || headers?.get("x-real-ip") || null;
  void sendAuthEmail({
    template: "password-changed",
    to: user.email,
    name: user.name,
    at: new Date(),
    reason,
    device: { label: device.label, browser: device.browser, os: device.os, ipAddress: ip },
    secureAccountUrl: `${env().APP_URL}/forgot-password`,
  });
}

export async function onPasswordReset({ user }: { user: User }, request?: Request): Promise<void> {
  passwordChangedEmail(user, "reset", request?.headers);
}

export async function onPasswordChanged(user: User | undefined, headers: Headers | undefined): Promise<void> {
  if (user) passwordChangedEmail(user, "change", headers);
}
