"use client";
// Two-factor authentication on /settings/security: turn it on (password, then a code from
// the app confirms the secret), turn it off, and get new backup codes. Turning it on or off
// needs a recent sign-in (the front door answers REAUTHENTICATION_REQUIRED otherwise) and
// re-issues this browser's session, like a password change (whileReissuing). An account
// without a password (made through a provider) confirms each action without one: its recent
// sign-in is the check.
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { failureMessage, type RequestFailure } from "@/lib/ui/failure-message";
import { whileReissuing } from "@/lib/ui/live-session";
import { backupCodesFile, secretOf, twoFactorRequest } from "@/lib/ui/two-factor-api";

type Action = "enable" | "disable" | "codes";

type Stage =
  | { kind: "idle" }
  | { kind: "check"; action: Action }
  | { kind: "confirm"; totpURI: string; backupCodes: string[] }
  | { kind: "codes"; backupCodes: string[] };

function problem(failure: RequestFailure): string {
  if (failure.code === "REAUTHENTICATION_REQUIRED") return "For your security, sign out and sign in again, then retry within a few minutes.";
  if (failure.code === "INVALID_PASSWORD") return "That password is not correct.";
  if (failure.code === "INVALID_CODE") return "That code is not correct. Check the time on your phone and try again.";
  return failureMessage(failure, { fallback: "Nothing was changed. Please try again." });
}

function BackupCodes({ codes }: { codes: string[] }) {
  const href = `data:text/plain;charset=utf-8,${encodeURIComponent(backupCodesFile(codes))}`;
  return (
    <div className="grid gap-2">
      <p className="text-sm">
        <strong>Backup codes</strong>: each signs in once if you lose your phone. They are shown only now: save them.
      </p>
      <ul aria-label="Backup codes" className="grid grid-cols-2 gap-1 font-mono text-sm">
        {codes.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ul>
      <a href={href} download="revocable-backup-codes.txt" className="text-sm font-medium">
        Download backup codes
      </a>
    </div>
  );
}

export function TwoFactorSettings({ initiallyEnabled, hasPassword = true }: { initiallyEnabled: boolean; hasPassword?: boolean }) {
  const [enabled, setEnabled] = useState(initiallyEnabled);
  const [stage, setStage] = useState<Stage>({ kind: "idle" });
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onCheck(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (stage.kind !== "check") return;
    const password = String(new FormData(e.currentTarget).get("password") ?? "");
    if (hasPassword && !password) return setError("Enter your password.");
    // No password field at all for an account without one (better-auth then skips the check).
    const body = hasPassword ? { password } : {};
    setPending(true);
    setError(null);
    setDone(null);
    if (stage.action === "enable") {
      const r = await twoFactorRequest<{ totpURI: string; backupCodes: string[] }>("/two-factor/enable", body);
      setPending(false);
      if (!r.ok) return setError(problem(r.failure));
      setStage({ kind: "confirm", ...r.data });
    } else if (stage.action === "disable") {
      const r = await whileReissuing(twoFactorRequest("/two-factor/disable", body));
      setPending(false);
      if (!r.ok) return setError(problem(r.failure));
      setEnabled(false);
      setStage({ kind: "idle" });
      setDone("Two-factor authentication is off. Trusted devices were forgotten.");
    } else {
      const r = await twoFactorRequest<{ backupCodes: string[] }>("/two-factor/generate-backup-codes", body);
      setPending(false);
      if (!r.ok) return setError(problem(r.failure));
      setStage({ kind: "codes", backupCodes: r.data.backupCodes });
    }
  }

  async function onConfirm(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const code = String(new FormData(e.currentTarget).get("code") ?? "").replace(/\s+/g, "");
    if (!code) return setError("Enter the 6-digit code from your authenticator app.");
    setPending(true);
    setError(null);
    const r = await whileReissuing(twoFactorRequest("/two-factor/verify-totp", { code }));
    setPending(false);
    if (!r.ok) return setError(problem(r.failure));
    setEnabled(true);
    setStage({ kind: "idle" });
    setDone("Two-factor authentication is on. Signing in now asks for a code from your app.");
  }

  const start = (action: Action) => {
    setError(null);
    setDone(null);
    setStage({ kind: "check", action });
  };

  return (
    <section aria-labelledby="two-factor-title" className="grid gap-4">
      <div>
        <h2 id="two-factor-title" className="text-lg font-semibold">
          Two-factor authentication
        </h2>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400" data-testid="two-factor-status">
          {hasPassword
            ? enabled
              ? "On: signing in needs your password and a code from your authenticator app."
              : "Off: signing in needs only your password."
            : enabled
              ? "On: signing in needs a code from your authenticator app after your provider."
              : "Off: signing in needs only your provider."}
        </p>
      </div>
      {done && (
        <Alert tone="success" role="status">
          {done}
        </Alert>
      )}
      {error && (
        <Alert tone="error" role="alert">
          {error}
        </Alert>
      )}
      {stage.kind === "check" && (
        <form className="grid gap-3" onSubmit={onCheck} noValidate>
          {hasPassword ? (
            <TextField label="Your password" name="password" type="password" autoComplete="current-password" autoFocus />
          ) : (
            <p className="text-sm">Your account has no password: your recent sign-in confirms this.</p>
          )}
          <div className="flex flex-wrap gap-2">
            <Button type="submit" pending={pending} pendingText="Checking…">
              {stage.action === "enable" ? "Continue" : stage.action === "disable" ? "Turn off two-factor" : "Create new backup codes"}
            </Button>
            <Button variant="ghost" onClick={() => setStage({ kind: "idle" })}>
              Cancel
            </Button>
          </div>
        </form>
      )}
      {stage.kind === "confirm" && (
        <form className="grid gap-4" onSubmit={onConfirm} noValidate>
          <p className="text-sm">
            Add Revocable to your authenticator app: open{" "}
            <a href={stage.totpURI} className="font-medium">
              this setup link
            </a>{" "}
            on your phone, or enter this secret by hand:
          </p>
          <code data-testid="totp-secret" className="rounded bg-zinc-100 p-2 font-mono text-sm break-all dark:bg-zinc-800">
            {secretOf(stage.totpURI)}
          </code>
          <BackupCodes codes={stage.backupCodes} />
          <TextField label="Code from the app" name="code" autoComplete="one-time-code" inputMode="numeric" />
          <Button type="submit" pending={pending} pendingText="Checking…">
            Turn on two-factor
          </Button>
        </form>
      )}
      {stage.kind === "codes" && <BackupCodes codes={stage.backupCodes} />}
      {stage.kind !== "check" && stage.kind !== "confirm" && (
        <div className="flex flex-wrap gap-2">
          {enabled ? (
            <>
              <Button variant="secondary" onClick={() => start("codes")}>
                New backup codes
              </Button>
              <Button variant="danger" onClick={() => start("disable")}>
                Turn off
              </Button>
            </>
          ) : (
            <Button onClick={() => start("enable")}>Turn on two-factor</Button>
          )}
        </div>
      )}
    </section>
  );
}
