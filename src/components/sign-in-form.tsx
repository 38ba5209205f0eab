"use client";
import { useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { authClient } from "@/lib/auth-client";
import { safeNextPath } from "@/lib/safe-next";

export function SignInForm() {
  const router = useRouter();
  const params = useSearchParams();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const reason = params.get("reason");

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setPending(true);
    setError(null);
    const { error } = await authClient.signIn.email({
      email: String(form.get("email")),
      password: String(form.get("password")),
    });
    setPending(false);
    if (error) {
      setError(error.message ?? "Sign-in failed.");
      return;
    }
    router.replace(safeNextPath(params.get("next")));
    router.refresh();
  }

  return (
    <form className="stack" onSubmit={onSubmit} noValidate>
      {reason === "signed-out" && (
        <p className="notice" role="status">You were signed out on this device. Sign in again to continue.</p>
      )}
      {reason === "idle" && (
        <p className="notice" role="status">You were signed out after a period of inactivity.</p>
      )}
      <label>
        Email
        <input name="email" type="email" autoComplete="email" required aria-describedby="sign-in-error" />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required aria-describedby="sign-in-error" />
      </label>
      <p id="sign-in-error" className="error" role="alert" aria-live="assertive">
        {error}
      </p>
      <button type="submit" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
