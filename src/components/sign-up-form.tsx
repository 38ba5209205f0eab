"use client";
import { useState } from "react";
import { authClient } from "@/lib/auth-client";

export function SignUpForm() {
  const [error, setError] = useState<string | null>(null);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const email = String(form.get("email"));
    setPending(true);
    setError(null);
    const { error } = await authClient.signUp.email({
      name: String(form.get("name")),
      email,
      password: String(form.get("password")),
      callbackURL: "/settings/security",
    });
    setPending(false);
    if (error) setError(error.message ?? "Sign-up failed.");
    else setSentTo(email);
  }

  if (sentTo) {
    return (
      <p className="notice" role="status">
        Check your inbox: we sent a verification link to <strong>{sentTo}</strong>.
      </p>
    );
  }
  return (
    <form className="stack" onSubmit={onSubmit} noValidate>
      <label>
        Name
        <input name="name" autoComplete="name" required />
      </label>
      <label>
        Email
        <input name="email" type="email" autoComplete="email" required />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="new-password" minLength={10} required aria-describedby="pw-rules" />
        <span id="pw-rules" className="muted">At least 10 characters.</span>
      </label>
      <p className="error" role="alert">
        {error}
      </p>
      <button type="submit" disabled={pending}>
        {pending ? "Creating account…" : "Create account"}
      </button>
    </form>
  );
}
