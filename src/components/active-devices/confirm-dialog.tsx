"use client";
// The sign-out confirmation: "Sign out this device?" / "Sign out all other devices?", and
// the password step when the server asks for re-authentication (for an account without a
// password: signing in again, the only way it re-authenticates). Keyboard: focus starts on
// Cancel (the safe choice), Escape cancels, Enter on the red button confirms.
import { useEffect, useRef } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { TextField } from "@/components/ui/field";
import { SignOutButton } from "@/components/sign-out-button";
import type { OpenConfirm } from "./confirm-machine";
import { plural } from "./plural";

export function SignOutDialog({
  confirm,
  hasPassword = true,
  onCancel,
  onConfirm,
  onPasswordMissing,
}: {
  confirm: OpenConfirm | null;
  hasPassword?: boolean;
  onCancel: () => void;
  /** `password` only on the password step. */
  onConfirm: (password?: string) => void;
  onPasswordMissing: () => void;
}) {
  const passwordRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (confirm?.step === "password" && !confirm.pending) passwordRef.current?.focus();
  }, [confirm?.step, confirm?.pending, confirm?.passwordError]);

  return (
    <Dialog
      open={confirm !== null}
      busy={confirm?.pending}
      onClose={onCancel}
      title={
        confirm?.step === "password"
          ? hasPassword
            ? "Confirm your password"
            : "Sign in again first"
          : confirm?.target.kind === "all"
            ? "Sign out all other devices?"
            : "Sign out this device?"
      }
      description={confirm ? <ConfirmText confirm={confirm} hasPassword={hasPassword} /> : null}
    >
      {confirm && (
        <form
          className="grid gap-4"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            if (confirm.step !== "password") return onConfirm();
            if (!hasPassword) return;
            const password = String(new FormData(e.currentTarget).get("password") ?? "");
            if (password) return onConfirm(password);
            onPasswordMissing();
            passwordRef.current?.focus();
          }}
        >
          {confirm.step === "password" && hasPassword && (
            <TextField
              ref={passwordRef}
              label="Password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              error={confirm.passwordError}
            />
          )}
          {confirm.error && (
            <Alert tone="error" role="alert">
              {confirm.error}
            </Alert>
          )}
          <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
            <Button variant="secondary" onClick={onCancel} disabled={confirm.pending} autoFocus={confirm.step === "confirm"}>
              Cancel
            </Button>
            {confirm.step === "password" && !hasPassword ? (
              <SignOutButton label="Sign in again" next="/settings/security" />
            ) : (
              <Button type="submit" variant="danger" pending={confirm.pending} pendingText="Signing out…">
                {confirm.step === "password"
                  ? "Confirm and sign out"
                  : confirm.target.kind === "all"
                    ? `Sign out ${plural(confirm.target.count, "device", "devices")}`
                    : "Sign out"}
              </Button>
            )}
          </div>
        </form>
      )}
    </Dialog>
  );
}

function ConfirmText({ confirm, hasPassword }: { confirm: OpenConfirm; hasPassword: boolean }) {
  if (confirm.step === "password" && !hasPassword) {
    return (
      <p>
        You signed in on this device a while ago, and your account has no password to confirm it&apos;s you. Sign in again, then sign out{" "}
        {confirm.target.kind === "all" ? "your other devices" : "that device"} within a few minutes.
      </p>
    );
  }
  if (confirm.step === "password") {
    return (
      <p>
        You signed in on this device a while ago. To sign out{" "}
        {confirm.target.kind === "all" ? "your other devices" : <strong>{confirm.target.session.declaredClient ?? confirm.target.session.label}</strong>}, enter
        your password.
      </p>
    );
  }
  if (confirm.target.kind === "all") {
    return (
      <p>
        Every device except this one will be signed out at once ({plural(confirm.target.count, "device", "devices")}).
        {hasPassword ? "They'll need your password to sign in again." : "They'll need to sign in again."}
      </p>
    );
  }
  const s = confirm.target.session;
  return (
    <p className="wrap-anywhere">
      <strong>{s.declaredClient ?? s.label}</strong>
      {s.ipAddress ? ` (IP ${s.ipAddress})` : ""} will be signed out at once.{" "}
      {hasPassword ? "It will need your password to sign in again." : "Signing in on it again will need your provider."}
    </p>
  );
}
