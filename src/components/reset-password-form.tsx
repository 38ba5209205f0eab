"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { authClient } from "@/lib/auth-client";
import { authRequest } from "@/lib/ui/auth-request";
import { failureMessage } from "@/lib/ui/failure-message";
import { PASSWORD_MIN, passwordProblem } from "@/lib/ui/form-checks";

type FieldErrors = { password?: string; confirm?: string };

export function ResetPasswordForm({ token }: { token: string }) {
  const router = useRouter();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [invalidToken, setInvalidToken] = useState(false);
  const [pending, setPending] = useState(false);
  const passwordRef = useRef<HTMLInputElement>(null);
  const confirmRef = useRef<HTMLInputElement>(null);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const password = String(form.get("password") ?? "");
    const confirm = String(form.get("confirm") ?? "");
    const found: FieldErrors = {};
    const pwErr = passwordProblem(password);
    if (pwErr) found.password = pwErr;
    else if (confirm !== password) found.confirm = "The passwords don't match.";
    setErrors(found);
    setFormError(null);
    if (found.password) return passwordRef.current?.focus();
    if (found.confirm) return confirmRef.current?.focus();

    setPending(true);
    const result = await authRequest((fetchOptions) => authClient.resetPassword({ newPassword: password, token, fetchOptions }));
    if (!result.ok) {
      const { failure } = result;
      setPending(false);
      if (failure.code === "INVALID_TOKEN") return setInvalidToken(true);
      if (failure.code === "PASSWORD_TOO_SHORT" || failure.code === "PASSWORD_TOO_LONG") {
        setErrors({ password: failureMessage(failure) });
        return passwordRef.current?.focus();
      }
      setFormError(failureMessage(failure, { fallback: "We couldn't reset your password. Please try again." }));
      return;
    }
    router.replace("/sign-in?reset=1");
  }

  if (invalidToken) return <InvalidResetLink />;

  return (
    <form className="grid gap-5" onSubmit={onSubmit} noValidate>
      {formError && (
        <Alert tone="error" role="alert">
          {formError}
        </Alert>
      )}
      <TextField
        ref={passwordRef}
        label="New password"
        name="password"
        type="password"
        autoComplete="new-password"
        minLength={PASSWORD_MIN}
        maxLength={128}
        required
        error={errors.password}
        hint={`At least ${PASSWORD_MIN} characters.`}
      />
      <TextField
        ref={confirmRef}
        label="Confirm new password"
        name="confirm"
        type="password"
        autoComplete="new-password"
        required
        error={errors.confirm}
      />
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        When you reset your password, every device signed in to your account is signed out, this one included.
      </p>
      <Button type="submit" pending={pending} pendingText="Resetting password…" className="w-full">
        Reset password
      </Button>
    </form>
  );
}

export function InvalidResetLink() {
  return (
    <div className="grid gap-4">
      <Alert tone="error" role="alert" title="This reset link is invalid or has expired">
        Reset links work once, for 60 minutes. Ask for a new one and use the newest email.
      </Alert>
      <Link href="/forgot-password" className="font-medium">
        Request a new reset link
      </Link>
    </div>
  );
}
