"use client";
// The second step of a sign-in with two-factor on: a code from the authenticator app, or
// a backup code; "trust this device" ties the skip to this browser's device cookie.
import { useRef, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { safeNextPath } from "@/lib/safe-next";
import { failureMessage } from "@/lib/ui/failure-message";
import { twoFactorRequest } from "@/lib/ui/two-factor-api";

export function SecondStepForm({ next, onRestart }: { next: string | null; onRestart: () => void }) {
  const [backup, setBackup] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [expired, setExpired] = useState(false);
  const [pending, setPending] = useState(false);
  const codeRef = useRef<HTMLInputElement>(null);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const code = String(form.get("code") ?? "").replace(/\s+/g, "");
    if (!code) {
      setError(backup ? "Enter one of your backup codes." : "Enter the 6-digit code from your authenticator app.");
      return codeRef.current?.focus();
    }
    setPending(true);
    setError(null);
    const path = backup ? "/two-factor/verify-backup-code" : "/two-factor/verify-totp";
    const result = await twoFactorRequest(path, { code, trustDevice: form.get("trustDevice") === "on" });
    if (result.ok) {
      window.location.replace(safeNextPath(next));
      return;
    }
    setPending(false);
    const { failure } = result;
    if (failure.code === "INVALID_TWO_FACTOR_COOKIE" || failure.code === "TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE") {
      setExpired(true);
      return;
    }
    setError(
      failure.code === "INVALID_CODE" || failure.code === "INVALID_BACKUP_CODE"
        ? "That code is not correct. Try again."
        : failure.code === "TOTP_CODE_USED"
          ? "That code was already used. Wait for the next code in your authenticator app."
          : failureMessage(failure, { fallback: "We couldn't check that code. Please try again.", tooMany: "Too many codes were tried." }),
    );
    codeRef.current?.select();
  }

  if (expired) {
    return (
      <div className="grid gap-4">
        <Alert tone="warning" role="alert" title="Please sign in again">
          This sign-in has expired or had too many wrong codes.
        </Alert>
        <Button onClick={onRestart}>Back to sign in</Button>
      </div>
    );
  }

  return (
    <form className="grid gap-5" onSubmit={onSubmit} noValidate aria-labelledby="second-step-title">
      <div>
        <h2 id="second-step-title" className="text-lg font-semibold">
          Two-factor authentication
        </h2>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          {backup ? "Enter one of your backup codes. Each code works once." : "Enter the 6-digit code your authenticator app shows for Revocable."}
        </p>
      </div>
      {error && (
        <Alert tone="error" role="alert" id="second-step-error">
          {error}
        </Alert>
      )}
      <TextField
        key={backup ? "backup" : "totp"}
        ref={codeRef}
        label={backup ? "Backup code" : "Authentication code"}
        name="code"
        autoComplete="one-time-code"
        inputMode={backup ? "text" : "numeric"}
        autoFocus
        describedBy={error ? "second-step-error" : undefined}
      />
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="trustDevice" className="size-4" />
        Trust this device for 30 days
      </label>
      <Button type="submit" pending={pending} pendingText="Checking…" className="w-full">
        Verify
      </Button>
      <Button variant="secondary" onClick={() => { setBackup(!backup); setError(null); }}>
        {backup ? "Use your authenticator app instead" : "Use a backup code instead"}
      </Button>
    </form>
  );
}
