"use client";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useRef, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { EmailField, TextField } from "@/components/ui/field";
import { authClient } from "@/lib/auth-client";
import { safeNextPath } from "@/lib/safe-next";
import { authRequest } from "@/lib/ui/auth-request";
import { failureMessage } from "@/lib/ui/failure-message";
import { emailProblem } from "@/lib/ui/form-checks";
import { SecondStepForm } from "@/components/second-step-form";

/** Where a verification link sent from here lands: the landing page, then `next`. */
export function verifyCallbackURL(next: string | null): string {
  const target = safeNextPath(next);
  return target === "/settings/security" ? "/verify-email" : `/verify-email?next=${encodeURIComponent(target)}`;
}

type FieldErrors = { email?: string; password?: string };

/** `?step=two-factor`: the second step is showing (an OAuth sign-in lands here with its challenge). */
export const SECOND_STEP_PARAM = ["step", "two-factor"] as const;

/** Shows or hides the second step in the address bar (the provider buttons follow it), without a reload. */
function markSecondStep(on: boolean) {
  const url = new URL(window.location.href);
  if (on) url.searchParams.set(...SECOND_STEP_PARAM);
  else url.searchParams.delete(SECOND_STEP_PARAM[0]);
  window.history.replaceState(null, "", url);
}

export function SignInForm() {
  const router = useRouter();
  const params = useSearchParams();
  const reason = params.get("reason");
  const next = params.get("next");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [unverified, setUnverified] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  // An OAuth sign-in to an account with two-factor on comes back here with the challenge
  // cookie set (lib/auth/two-factor.ts): straight to the second step.
  const [secondStep, setSecondStep] = useState(() => params.get(SECOND_STEP_PARAM[0]) === SECOND_STEP_PARAM[1]);
  const [resending, setResending] = useState(false);
  const [passkeyPending, setPasskeyPending] = useState(false);
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const email = String(form.get("email") ?? "").trim();
    const password = String(form.get("password") ?? "");
    const found: FieldErrors = {};
    const emailErr = emailProblem(email);
    if (emailErr) found.email = emailErr;
    if (!password) found.password = "Enter your password.";
    setErrors(found);
    setFormError(null);
    setUnverified(null);
    if (found.email) return emailRef.current?.focus();
    if (found.password) return passwordRef.current?.focus();

    setPending(true);
    const result = await authRequest((fetchOptions) => authClient.signIn.email({ email, password, fetchOptions }));
    if (!result.ok) {
      setPending(false);
      if (result.failure.code === "EMAIL_NOT_VERIFIED") {
        // better-auth has just re-sent the verification email (sendOnSignIn).
        setUnverified(email);
        return;
      }
      setFormError(failureMessage(result.failure, { fallback: "Sign-in failed. Please try again.", tooMany: "Too many sign-in attempts." }));
      passwordRef.current?.select();
      return;
    }
    // Two-factor is on and this device is not trusted: the password step created no
    // session; the second step does (lib/auth/two-factor.ts).
    if ((result.data as { twoFactorRedirect?: boolean } | null)?.twoFactorRedirect) {
      setPending(false);
      setSecondStep(true);
      markSecondStep(true);
      return;
    }
    // A full page load, not a client-side transition: the router may hold a prefetched
    // redirect-to-sign-in for `next` from before, and nothing from the signed-out state
    // should survive into the signed-in one.
    window.location.replace(safeNextPath(next));
  }

  // A discoverable passkey: no email typed; the device asks for its PIN, fingerprint or face
  // (user verification, required by the server: lib/auth/passkeys.ts). No second step.
  async function withPasskey() {
    setFormError(null);
    setUnverified(null);
    setPasskeyPending(true);
    const result = await authRequest((fetchOptions) => authClient.signIn.passkey({ fetchOptions }));
    if (!result.ok) {
      setPasskeyPending(false);
      setFormError(failureMessage(result.failure, { fallback: "Passkey sign-in failed. Try again, or sign in with your password.", tooMany: "Too many sign-in attempts." }));
      return;
    }
    window.location.replace(safeNextPath(next));
  }

  async function resend() {
    if (!unverified) return;
    setResending(true);
    const result = await authRequest((fetchOptions) =>
      authClient.sendVerificationEmail({ email: unverified, callbackURL: verifyCallbackURL(next), fetchOptions }),
    );
    setResending(false);
    if (!result.ok && (result.failure.status === 429 || result.failure.status === 0 || result.failure.status >= 500)) {
      setFormError(failureMessage(result.failure, { tooMany: "You've asked for several emails in a short time." }));
      return;
    }
    router.push(`/check-email?email=${encodeURIComponent(unverified)}&resent=1`);
  }

  if (secondStep) {
    const restart = () => {
      setSecondStep(false);
      markSecondStep(false);
    };
    return <SecondStepForm next={next} onRestart={restart} />;
  }

  return (
    <form className="grid gap-5" onSubmit={onSubmit} noValidate>
      {reason === "signed-out" && (
        <Alert tone="warning" role="status" title="You were signed out on this device">
          This device was signed out, from another device or after a password change. Sign in again to continue.
        </Alert>
      )}
      {reason === "idle" && (
        <Alert tone="info" role="status" title="You were signed out after a period of inactivity">
          Sign in again to continue.
        </Alert>
      )}
      {params.get("reset") === "1" && (
        <Alert tone="success" role="status" title="Your password was reset">
          Every device was signed out. Sign in with your new password.
        </Alert>
      )}
      {unverified && (
        <Alert tone="warning" role="alert" title="Please verify your email address first">
          <p>
            We sent a new verification link to <strong>{unverified}</strong>. Open it to finish setting up your account,
            then sign in.
          </p>
          <p>
            <Button variant="secondary" onClick={resend} pending={resending} pendingText="Sending…">
              Resend verification email
            </Button>
          </p>
        </Alert>
      )}
      {formError && (
        <Alert tone="error" role="alert" id="sign-in-error">
          {formError}
        </Alert>
      )}
      <EmailField
        ref={emailRef}
        error={errors.email}
        describedBy={formError ? "sign-in-error" : undefined}
      />
      <TextField
        ref={passwordRef}
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        error={errors.password}
        describedBy={formError ? "sign-in-error" : undefined}
      />
      <p className="-mt-2 text-right text-sm">
        <Link href="/forgot-password" className="font-medium">
          Forgot password?
        </Link>
      </p>
      <Button type="submit" pending={pending} pendingText="Signing in…" className="w-full">
        Sign in
      </Button>
      {/* Not "Sign in with…": the password button is the one named "Sign in". */}
      <Button variant="secondary" onClick={withPasskey} pending={passkeyPending} pendingText="Waiting for your passkey…" className="w-full">
        Continue with a passkey
      </Button>
    </form>
  );
}
