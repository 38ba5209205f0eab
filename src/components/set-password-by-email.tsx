"use client";
// The password card of an account made through a provider: it has no password to change.
// One is added through the emailed reset link (better-auth's reset creates the password when
// there is none), so only someone who reads the account's inbox can add a way in, and the
// reset ends every session, as any reset does.
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { authClient } from "@/lib/auth-client";
import { authRequest } from "@/lib/ui/auth-request";
import { failureMessage } from "@/lib/ui/failure-message";

const SEND_FAILURE_WORDS = {
  tooMany: "You've asked for several emails in a short time.",
  serverError: "We couldn't send the email just now. Please try again in a moment.",
};

export function SetPasswordByEmail({ email }: { email: string }) {
  const [sent, setSent] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function send() {
    setPending(true);
    setFailed(null);
    const result = await authRequest((fetchOptions) => authClient.requestPasswordReset({ email, redirectTo: "/reset-password", fetchOptions }));
    setPending(false);
    if (!result.ok) return setFailed(failureMessage(result.failure, SEND_FAILURE_WORDS));
    setSent(true);
  }

  return (
    <section aria-labelledby="password-heading" className="grid gap-4">
      <div>
        <h2 id="password-heading" className="text-lg font-semibold">
          Password
        </h2>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          Your account has no password: you sign in through a provider. To sign in with your email address and a password too, set one from a
          link we email you. Setting it signs you out on every device, this one too.
        </p>
      </div>
      <div role="status" aria-live="polite">
        {sent && (
          <Alert tone="success" title="Check your email">
            We&apos;ve sent a link to <strong>{email}</strong>. It works once, for 60 minutes.
          </Alert>
        )}
      </div>
      {failed && (
        <Alert tone="error" role="alert">
          {failed}
        </Alert>
      )}
      <div>
        <Button variant="secondary" pending={pending} pendingText="Sending link…" onClick={send}>
          {sent ? "Send the link again" : "Email me a link to set a password"}
        </Button>
      </div>
    </section>
  );
}
