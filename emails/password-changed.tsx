// "Your password was changed" (ASVS 6.3.7): after a signed-in change or a reset by link.
import { Action, Details, EmailLayout, Paragraph } from "./_components/layout";
import { formatWhen, greeting, locationOrUnknown, orUnknown } from "./_components/format";
import type { EmailDevice, TimeDisplay } from "./_components/types";

export interface PasswordChangedProps extends TimeDisplay {
  name: string;
  /** When the change happened (a Date, or an ISO string from the preview editor). */
  at: Date | string;
  /** "change": signed in and changed it (other sessions ended); "reset": by emailed link (all ended). */
  reason: "change" | "reset";
  device: EmailDevice;
  secureAccountUrl: string;
}

export const PreviewProps: PasswordChangedProps = {
  name: "Ada Lovelace",
  at: "2025-03-04T14:05:09Z",
  locale: "en-US",
  timeZone: "Europe/London",
  reason: "change",
  device: { label: "Chrome 131 on macOS", browser: "Chrome 131", os: "macOS 10.15.7", deviceType: "desktop", ipAddress: "81.2.69.142", location: "London, United Kingdom" },
  secureAccountUrl: "http://localhost:3000/forgot-password",
};

export function subject(): string {
  return "Your password was changed";
}

export default function PasswordChanged({ name, at, locale, timeZone, reason, device, secureAccountUrl }: PasswordChangedProps) {
  const when = formatWhen(at, locale, timeZone);
  const how = reason === "reset" ? "with a password reset link" : "from a signed-in device";
  return (
    <EmailLayout
      preview={`The password for your Revocable account was changed on ${when}.`}
      heading="Your password was changed"
      footer="You received this email because the password of the Revocable account for this address was changed. We always send it, for your security."
    >
      <Paragraph>{greeting(name)}</Paragraph>
      <Paragraph>{`The password for your Revocable account was changed ${how}.`}</Paragraph>
      <Details
        rows={[
          ["When", when],
          ["Device", orUnknown(device.label)],
          ["Browser", orUnknown(device.browser)],
          ["Operating system", orUnknown(device.os)],
          ["IP address", orUnknown(device.ipAddress)],
          ["Location (approximate)", locationOrUnknown(device.location)],
        ]}
      />
      {reason === "reset" ? (
        <Paragraph>
          For your security, all sessions were signed out, on every device. Sign in again with your new password.
        </Paragraph>
      ) : (
        <Paragraph>
          For your security, all other sessions were signed out. The device that made the change stays signed in.
        </Paragraph>
      )}
      <Paragraph>
        <strong>If this wasn&apos;t you,</strong> someone else knows your password or has access to your email.
        Reset your password now: a reset signs out every device, including theirs.
      </Paragraph>
      <Action href={secureAccountUrl} label="Secure your account" />
    </EmailLayout>
  );
}

PasswordChanged.PreviewProps = PreviewProps;
