"use client";
import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { EmailField, TextField } from "@/components/ui/field";
import { authClient } from "@/lib/auth-client";
import { authRequest } from "@/lib/ui/auth-request";
import { failureMessage } from "@/lib/ui/failure-message";
import { emailProblem, PASSWORD_MIN, passwordProblem } from "@/lib/ui/form-checks";

type FieldErrors = { name?: string; email?: string; password?: string };

export function SignUpForm() {
  const router = useRouter();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const nameRef = useRef<HTMLInputElement>(null);
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const name = String(form.get("name") ?? "").trim();
    const email = String(form.get("email") ?? "").trim();
    const password = String(form.get("password") ?? "");
    const found: FieldErrors = {};
    if (!name) found.name = "Enter your name.";
    const emailErr = emailProblem(email);
    if (emailErr) found.email = emailErr;
    const pwErr = passwordProblem(password);
    if (pwErr) found.password = pwErr === "Enter a new password." ? "Choose a password." : pwErr;
    setErrors(found);
    setFormError(null);
    const first = (["name", "email", "password"] as const).find((k) => found[k]);
    if (first) return { name: nameRef, email: emailRef, password: passwordRef }[first].current?.focus();

    setPending(true);
    const result = await authRequest((fetchOptions) =>
      authClient.signUp.email({ name, email, password, callbackURL: "/verify-email", fetchOptions }),
    );
    if (!result.ok) {
      const { failure } = result;
      setPending(false);
      if (failure.code === "PASSWORD_TOO_SHORT" || failure.code === "PASSWORD_TOO_LONG") {
        setErrors({ password: failureMessage(failure) });
        return passwordRef.current?.focus();
      }
      if (failure.code === "INVALID_EMAIL") {
        setErrors({ email: failureMessage(failure) });
        return emailRef.current?.focus();
      }
      setFormError(failureMessage(failure, { fallback: "We couldn't create your account. Please try again." }));
      return;
    }
    router.push(`/check-email?email=${encodeURIComponent(email)}`);
  }

  return (
    <form className="grid gap-5" onSubmit={onSubmit} noValidate>
      {formError && (
        <Alert tone="error" role="alert">
          {formError}
        </Alert>
      )}
      <TextField ref={nameRef} label="Name" name="name" autoComplete="name" required error={errors.name} />
      <EmailField
        ref={emailRef}
        error={errors.email}
        hint="We'll send a link to this address to verify it."
      />
      <TextField
        ref={passwordRef}
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        minLength={PASSWORD_MIN}
        maxLength={128}
        required
        error={errors.password}
        hint={`At least ${PASSWORD_MIN} characters. A few unrelated words make a strong, memorable password.`}
      />
      <Button type="submit" pending={pending} pendingText="Creating account…" className="w-full">
        Create account
      </Button>
    </form>
  );
}
