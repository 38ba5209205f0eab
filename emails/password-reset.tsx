// "Reset your password": the link from /request-password-reset. Single use, 60 minutes.
import { Action, EmailLayout, Paragraph } from "./_components/layout";
import { greeting, plural } from "./_components/format";

export interface PasswordResetProps {
  /** null: the address is not verified, so the name may be a stranger's (see lib/auth/emails.ts). */
  name: string | null;
  url: string;
  expiresInMinutes: number;
}

export const PreviewProps: PasswordResetProps = {
  name: "Ada Lovelace",
  url: "http://localhost:3000/api/auth/reset-password/preview-token?callbackURL=%2Freset-password",
  expiresInMinutes: 60,
};

export function subject(): string {
  return "Reset your password";
}

export default function PasswordReset({ name, url, expiresInMinutes }: PasswordResetProps) {
  const expiry = plural(expiresInMinutes, "minute", "minutes");
  return (
    <EmailLayout
      preview={`Use this link within ${expiry} to choose a new password.`}
      heading="Reset your password"
      footer="You received this email because someone asked to reset the password of the Revocable account for this address."
    >
      <Paragraph>{greeting(name)}</Paragraph>
      <Paragraph>We received a request to reset the password for your Revocable account.</Paragraph>
      <Action href={url} label="Choose a new password" />
      <Paragraph muted>
        {`This link expires in ${expiry} and works only once. Resetting your password signs you out on every device.`}
      </Paragraph>
      <Paragraph muted>
        If it wasn&apos;t you, ignore this email: your password stays the same, and nobody can change it without
        this link.
      </Paragraph>
    </EmailLayout>
  );
}

PasswordReset.PreviewProps = PreviewProps;
