"use client";
// "Resend verification email": the same answer whether or not the address has an
// unverified account (better-auth answers alike and pads the timing).
import { useEffect, useRef, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { EmailField } from "@/components/ui/field";
import { authClient } from "@/lib/auth-client";
import { authRequest } from "@/lib/ui/auth-request";
import { failureMessage } from "@/lib/ui/failure-message";
import { emailProblem } from "@/lib/ui/form-checks";

const COOLDOWN_SECONDS = 30;
const SEND_FAILURE_WORDS = {
  tooMany: "You've asked for several emails in a short time.",
  serverError: "We couldn't send the email just now. Please try again in a moment.",
};

export function ResendVerificationForm({
  defaultEmail = "",
  callbackURL = "/verify-email",
  submitLabel = "Resend verification email",
  initiallySent = false,
}: {
  defaultEmail?: string;
  callbackURL?: string;
  submitLabel?: string;
  initiallySent?: boolean;
}) {
  const [error, setError] = useState<string | null>(null);
  const [sentTo, setSentTo] = useState<string | null>(initiallySent && defaultEmail ? defaultEmail : null);
  const [failed, setFailed] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [cooldown, setCooldown] = useState(0);
  const emailRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (cooldown <= 0) return;
    const t = setTimeout(() => setCooldown((c) => c - 1), 1000);
    return () => clearTimeout(t);
  }, [cooldown]);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const email = String(new FormData(e.currentTarget).get("email") ?? "").trim();
    const problem = emailProblem(email);
    setError(problem);
    setFailed(null);
    if (problem) return emailRef.current?.focus();
    setPending(true);
    const result = await authRequest((fetchOptions) => authClient.sendVerificationEmail({ email, callbackURL, fetchOptions }));
    setPending(false);
    // Any other 4xx gets the same answer as success: nothing to enumerate.
    if (!result.ok && (result.failure.status === 429 || result.failure.status === 0 || result.failure.status >= 500)) {
      setFailed(failureMessage(result.failure, SEND_FAILURE_WORDS));
      return;
    }
    setSentTo(email);
    setCooldown(COOLDOWN_SECONDS);
  }

  return (
    <form className="grid gap-4" onSubmit={onSubmit} noValidate>
      {failed && (
        <Alert tone="error" role="alert">
          {failed}
        </Alert>
      )}
      <EmailField
        ref={emailRef}
        defaultValue={defaultEmail}
        error={error}
      />
      <div>
        <Button type="submit" variant="secondary" pending={pending} pendingText="Sending…" disabled={cooldown > 0} className="w-full">
          {cooldown > 0 ? `${submitLabel} (wait ${cooldown}s)` : submitLabel}
        </Button>
        <div role="status" aria-live="polite">
          {sentTo && (
            <Alert tone="success" title="Verification email sent" className="mt-4">
              If <strong>{sentTo}</strong> belongs to an account that still needs verifying, a new link is on its way.
              It works for 24 hours.
            </Alert>
          )}
        </div>
      </div>
    </form>
  );
}
