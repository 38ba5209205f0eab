// "Confirm your email address": sent at sign-up (and on a sign-in before verification).
// It greets nobody by name: the name was typed by whoever signed up, and until the address
// is verified that need not be its owner (a stranger's "name" would reach a real inbox).
import { Action, EmailLayout, Paragraph } from "./_components/layout";
import { greeting, plural } from "./_components/format";

export interface VerifyEmailProps {
  url: string;
  expiresInHours: number;
  /** The address was signed up again before it was verified: this link installs that sign-up's password. */
  signedUpAgain?: boolean;
}

export const PreviewProps: VerifyEmailProps = {
  url: "http://localhost:3000/api/auth/verify-email?token=preview-token&callbackURL=%2F",
  expiresInHours: 24,
};

export function subject(): string {
  return "Confirm your email address";
}

export default function VerifyEmail({ url, expiresInHours, signedUpAgain = false }: VerifyEmailProps) {
  const expiry = plural(expiresInHours, "hour", "hours");
  return (
    <EmailLayout
      preview={`Confirm your email address to finish setting up your account. The link expires in ${expiry}.`}
      heading="Confirm your email address"
      footer="You received this email because this address was used to create a Revocable account."
    >
      <Paragraph>{greeting(null)}</Paragraph>
      <Paragraph>Confirm that this is your email address to finish setting up your Revocable account.</Paragraph>
      {signedUpAgain && (
        <Paragraph>
          This address was just used to sign up again before it was confirmed. This link confirms the address with
          the password chosen in that latest sign-up. If you did not just sign up, do not use this link: use the
          link in the email from your own sign-up, which always sets the password you chose (or sign up again
          yourself and use the link that follows).
        </Paragraph>
      )}
      <Action href={url} label="Verify email address" />
      <Paragraph muted>{`This link expires in ${expiry}. After that, sign in to get a new one.`}</Paragraph>
      <Paragraph muted>
        If you did not create a Revocable account, you can ignore this email: the account stays unverified and
        nobody can sign in to it.
      </Paragraph>
    </EmailLayout>
  );
}

VerifyEmail.PreviewProps = PreviewProps;
