// "New sign-in" (ASVS 6.3.5): a sign-in from a device this account has not used before.
import { Action, Details, EmailLayout, Paragraph } from "./_components/layout";
import { formatWhen, greeting, locationOrUnknown, orUnknown } from "./_components/format";
import type { EmailDevice, TimeDisplay } from "./_components/types";
import { signInMethodWords, type SignInMethod } from "../src/lib/sign-in-context";

export interface NewSignInProps extends TimeDisplay {
  name: string;
  at: Date | string;
  device: EmailDevice;
  /** How the sign-in was made; null or absent when not known. */
  signInMethod?: SignInMethod | null;
  /** The OIDC provider's configured name ("Signed in with Acme SSO"). */
  providerName?: string;
  activeDevicesUrl: string;
  /** "This wasn't me": ends that session without signing in (lib/security/report-sign-in.ts). */
  reportSignInUrl?: string;
}

export const PreviewProps: NewSignInProps = {
  name: "Ada Lovelace",
  at: "2025-03-04T14:05:09Z",
  locale: "en-GB",
  timeZone: "Europe/Berlin",
  device: { label: "Safari on iPhone", browser: "Mobile Safari 17", os: "iOS 17.5", deviceType: "mobile", ipAddress: "196.25.1.1", location: "Cape Town, South Africa" },
  signInMethod: "password",
  activeDevicesUrl: "http://localhost:3000/settings/security",
  reportSignInUrl: "http://localhost:3000/report-sign-in?token=preview",
};

export function subject(device: Pick<EmailDevice, "label">): string {
  return `New sign-in to your account from ${orUnknown(device.label)}`;
}

export default function NewSignIn({ name, at, locale, timeZone, device, signInMethod, providerName, activeDevicesUrl, reportSignInUrl }: NewSignInProps) {
  const when = formatWhen(at, locale, timeZone);
  return (
    <EmailLayout
      preview={`Your account was signed in to from ${orUnknown(device.label)}, a device you have not used before.`}
      heading="New sign-in to your account"
      footer="You received this email because your Revocable account was signed in to from a device it had not been used on before."
    >
      <Paragraph>{greeting(name)}</Paragraph>
      <Paragraph>Your Revocable account was just signed in to from a device you have not used before:</Paragraph>
      <Details
        rows={[
          ["Device", orUnknown(device.label)],
          ["Browser", orUnknown(device.browser)],
          ["Operating system", orUnknown(device.os)],
          ["IP address", orUnknown(device.ipAddress)],
          ["Location (approximate)", locationOrUnknown(device.location)],
          ...(signInMethod ? [["Signed in with", signInMethodWords(signInMethod, providerName)] as const] : []),
          ["Time", when],
        ]}
      />
      <Paragraph>If this was you, there is nothing to do.</Paragraph>
      {reportSignInUrl ? (
        <>
          <Paragraph>
            <strong>If this wasn&apos;t you,</strong> sign that device out now with the button below (you do not need
            to sign in; you will be asked to confirm), then reset your password. Signing it out takes effect on its
            very next request.
          </Paragraph>
          <Action href={reportSignInUrl} label="This wasn't me: sign that device out" />
          <Paragraph>
            You can also review every signed-in device on the Active devices page: {activeDevicesUrl}
          </Paragraph>
        </>
      ) : (
        <>
          <Paragraph>
            <strong>If this wasn&apos;t you,</strong> sign that device out now on the Active devices page, then change
            your password. Signing it out takes effect on its very next request.
          </Paragraph>
          <Action href={activeDevicesUrl} label="Review active devices" />
        </>
      )}
    </EmailLayout>
  );
}

NewSignIn.PreviewProps = PreviewProps;
