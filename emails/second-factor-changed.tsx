// "Your sign-in protection changed": after two-factor authentication is turned on or off,
// or a passkey is added or removed (named, with the device that did it).
// Always sent to the account's address, so an intruder who changes a factor is noticed.
import { Action, Details, EmailLayout, Paragraph } from "./_components/layout";
import { formatWhen, greeting, locationOrUnknown, orUnknown } from "./_components/format";
import type { EmailDevice, TimeDisplay } from "./_components/types";

export type SecondFactorChange = "two-factor-enabled" | "two-factor-disabled" | "passkey-added" | "passkey-removed";

export interface SecondFactorChangedProps extends TimeDisplay {
  name: string;
  at: Date | string;
  change: SecondFactorChange;
  /** The passkey's name (passkey changes only). */
  passkeyName?: string;
  device: EmailDevice;
  securitySettingsUrl: string;
}

export const PreviewProps: SecondFactorChangedProps = {
  name: "Ada Lovelace",
  at: "2025-03-04T14:05:09Z",
  locale: "en-US",
  timeZone: "Europe/London",
  change: "two-factor-enabled",
  device: { label: "Chrome 131 on macOS", browser: "Chrome 131", os: "macOS 10.15.7", deviceType: "desktop", ipAddress: "81.2.69.142", location: "London, United Kingdom" },
  securitySettingsUrl: "http://localhost:3000/settings/security",
};

const WHAT: Record<SecondFactorChange, { subject: string; sentence: (passkey: string) => string }> = {
  "two-factor-enabled": {
    subject: "Two-factor authentication was turned on",
    sentence: () =>
      "Two-factor authentication with an authenticator app was turned on for your Revocable account. Signing in now needs a code from the app (or a backup code) after the password.",
  },
  "two-factor-disabled": {
    subject: "Two-factor authentication was turned off",
    sentence: () => "Two-factor authentication was turned off for your Revocable account. Signing in now needs only the password, and every trusted device was forgotten.",
  },
  "passkey-added": {
    subject: "A passkey was added to your account",
    sentence: (passkey) => `A passkey named “${passkey}” was added to your Revocable account. It can now sign in to the account on its own, without the password.`,
  },
  "passkey-removed": {
    subject: "A passkey was removed from your account",
    sentence: (passkey) => `The passkey named “${passkey}” was removed from your Revocable account. It can no longer be used to sign in.`,
  },
};

export function subject(change: SecondFactorChange): string {
  return WHAT[change].subject;
}

export default function SecondFactorChanged({ name, at, change, passkeyName, device, securitySettingsUrl, locale, timeZone }: SecondFactorChangedProps) {
  const when = formatWhen(at, locale, timeZone);
  return (
    <EmailLayout
      preview={`${WHAT[change].subject} on ${when}.`}
      heading={WHAT[change].subject}
      footer="You received this email because the sign-in protection of the Revocable account for this address changed. We always send it, for your security."
    >
      <Paragraph>{greeting(name)}</Paragraph>
      <Paragraph>{WHAT[change].sentence(passkeyName || "Passkey")}</Paragraph>
      <Details
        rows={[
          ["When", when],
          ["Device", orUnknown(device.label)],
          ["IP address", orUnknown(device.ipAddress)],
          ["Location (approximate)", locationOrUnknown(device.location)],
        ]}
      />
      <Paragraph>
        <strong>If this wasn&apos;t you,</strong> someone is signed in to your account. Sign out the devices you do not
        recognise, reset your password{change === "passkey-added" ? " and remove this passkey in your security settings" : ""}.
      </Paragraph>
      <Action href={securitySettingsUrl} label="Review your security settings" />
    </EmailLayout>
  );
}

SecondFactorChanged.PreviewProps = PreviewProps;
