// "Welcome": sent once, after the address is verified.
import { Action, EmailLayout, Paragraph } from "./_components/layout";
import { greeting } from "./_components/format";

export interface WelcomeProps {
  name: string;
  activeDevicesUrl: string;
}

export const PreviewProps: WelcomeProps = {
  name: "Ada Lovelace",
  activeDevicesUrl: "http://localhost:3000/settings/security",
};

export function subject(): string {
  return "Welcome to Revocable";
}

export default function Welcome({ name, activeDevicesUrl }: WelcomeProps) {
  return (
    <EmailLayout
      preview="Your email address is confirmed. Here is how to keep an eye on your sign-ins."
      heading="Welcome to Revocable"
      footer="You received this email because you confirmed this address for a new Revocable account."
    >
      <Paragraph>{greeting(name)}</Paragraph>
      <Paragraph>Your email address is confirmed and your account is ready.</Paragraph>
      <Paragraph>
        The Active devices page lists every device signed in to your account. You can sign out any of them, or all
        of them at once, and it takes effect immediately. We also email you when your account is signed in to from
        a new device, and whenever your password changes.
      </Paragraph>
      <Action href={activeDevicesUrl} label="See your active devices" />
    </EmailLayout>
  );
}

Welcome.PreviewProps = PreviewProps;
