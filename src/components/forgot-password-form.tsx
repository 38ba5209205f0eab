"use client";
// The answer is the same whether or not the address has an account (no enumeration).
import { useRef, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { EmailField } from "@/components/ui/field";
import { authClient } from "@/lib/auth-client";
import { authRequest } from "@/lib/ui/auth-request";
import { failureMessage } from "@/lib/ui/failure-message";
import { emailProblem } from "@/lib/ui/form-checks";

const SEND_FAILURE_WORDS = {
  tooMany: "You've asked for several reset emails in a short time.",
  serverError: "We couldn't send the email just now. Please try again in a moment.",
};

export function ForgotPasswordForm() {
  const [error, setError] = useState<string | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const emailRef = useRef<HTMLInputElement>(null);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const email = String(new FormData(e.currentTarget).get("email") ?? "").trim();
    const problem = emailProblem(email);
    setError(problem);
    setFailed(null);
    if (problem) return emailRef.current?.focus();
    setPending(true);
    const result = await authRequest((fetchOptions) => authClient.requestPasswordReset({ email, redirectTo: "/reset-password", fetchOptions }));
    setPending(false);
    // Any other 4xx gets the same answer as success: nothing to enumerate.
    if (!result.ok && (result.failure.status === 429 || result.failure.status === 0 || result.failure.status >= 500)) {
      setFailed(failureMessage(result.failure, SEND_FAILURE_WORDS));
      return;
    }
    setSentTo(email);
  }

  if (sentTo) {
    return (
      <div className="grid gap-4">
        <Alert tone="success" role="status" title="Check your email">
          <p>
            If an account exists for <strong>{sentTo}</strong>, we&apos;ve sent it a link to reset your password. The
            link works once, for 60 minutes.
          </p>
          <p>Resetting your password signs you out on every device.</p>
        </Alert>
        <Button variant="ghost" onClick={() => setSentTo(null)}>
          Use a different email
        </Button>
      </div>
    );
  }

  return (
    <form className="grid gap-5" onSubmit={onSubmit} noValidate>
      {failed && (
        <Alert tone="error" role="alert">
          {failed}
        </Alert>
      )}
      <EmailField
        ref={emailRef}
        error={error}
        hint="The address you signed up with."
      />
      <Button type="submit" pending={pending} pendingText="Sending link…" className="w-full">
        Send reset link
      </Button>
    </form>
  );
}
