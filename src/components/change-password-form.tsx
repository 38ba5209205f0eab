"use client";
// Change password: better-auth's changePassword with revokeOtherSessions, so every other
// device is signed out (ASVS 7.4.3) and this one gets a fresh session.
import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { authClient } from "@/lib/auth-client";
import { authRequest } from "@/lib/ui/auth-request";
import { failureMessage } from "@/lib/ui/failure-message";
import { whileReissuing } from "@/lib/ui/live-session";
import { PASSWORD_MAX, PASSWORD_MIN, passwordProblem } from "@/lib/ui/form-checks";
import { signedOutUrl } from "@/lib/ui/sessions-api";

type FieldErrors = { current?: string; next?: string; confirm?: string };

export function ChangePasswordForm({
  otherDevices,
  onChanged,
}: {
  /** How many other devices are signed in, when known (for the confirmation text). */
  otherDevices: number | null;
  onChanged?: () => void;
}) {
  const router = useRouter();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const currentRef = useRef<HTMLInputElement>(null);
  const nextRef = useRef<HTMLInputElement>(null);
  const confirmRef = useRef<HTMLInputElement>(null);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const currentPassword = String(form.get("currentPassword") ?? "");
    const newPassword = String(form.get("newPassword") ?? "");
    const confirm = String(form.get("confirmPassword") ?? "");
    const found: FieldErrors = {};
    if (!currentPassword) found.current = "Enter your current password.";
    const pwErr = passwordProblem(newPassword);
    if (pwErr) found.next = pwErr;
    else if (newPassword === currentPassword) found.next = "Choose a password different from your current one.";
    if (!found.next && confirm !== newPassword) found.confirm = "The new passwords don't match.";
    setErrors(found);
    setFormError(null);
    setDone(null);
    const first = (["current", "next", "confirm"] as const).find((k) => found[k]);
    if (first) return { current: currentRef, next: nextRef, confirm: confirmRef }[first].current?.focus();

    const others = otherDevices;
    setPending(true);
    const result = await authRequest((fetchOptions) =>
      whileReissuing(authClient.changePassword({ currentPassword, newPassword, revokeOtherSessions: true, fetchOptions })),
    );
    setPending(false);
    if (!result.ok) {
      const { failure } = result;
      if (failure.code === "INVALID_PASSWORD") {
        setErrors({ current: failureMessage(failure) });
        return currentRef.current?.select();
      }
      if (failure.code === "PASSWORD_TOO_SHORT" || failure.code === "PASSWORD_TOO_LONG") {
        setErrors({ next: failureMessage(failure) });
        return nextRef.current?.focus();
      }
      if (failure.status === 401) {
        router.replace(signedOutUrl("/settings/security"));
        return;
      }
      setFormError(failureMessage(failure, { fallback: "We couldn't change your password. Nothing was changed." }));
      return;
    }
    formRef.current?.reset();
    setDone(
      others === null
        ? "Your password was changed, and your other devices were signed out."
        : others === 0
          ? "Your password was changed. No other devices were signed in."
          : `Your password was changed, and ${others === 1 ? "your 1 other device was" : `your ${others} other devices were`} signed out.`,
    );
    onChanged?.();
  }

  return (
    <section aria-labelledby="password-heading" className="grid gap-4">
      <div>
        <h2 id="password-heading" className="text-lg font-semibold">
          Change password
        </h2>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          Changing your password signs out every other device. This one stays signed in.
        </p>
        <div role="status" aria-live="polite">
          {done && (
            <Alert tone="success" className="mt-4">
              {done}
            </Alert>
          )}
        </div>
      </div>
      {formError && (
        <Alert tone="error" role="alert">
          {formError}
        </Alert>
      )}
      <form ref={formRef} className="grid max-w-md gap-5" onSubmit={onSubmit} noValidate>
        <TextField
          ref={currentRef}
          label="Current password"
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          required
          error={errors.current}
        />
        <TextField
          ref={nextRef}
          label="New password"
          name="newPassword"
          type="password"
          autoComplete="new-password"
          minLength={PASSWORD_MIN}
          maxLength={PASSWORD_MAX}
          required
          error={errors.next}
          hint={`At least ${PASSWORD_MIN} characters, different from your current one. A few unrelated words work well.`}
        />
        <TextField
          ref={confirmRef}
          label="Confirm new password"
          name="confirmPassword"
          type="password"
          autoComplete="new-password"
          required
          error={errors.confirm}
        />
        <div>
          <Button type="submit" pending={pending} pendingText="Changing password…">
            Change password
          </Button>
        </div>
      </form>
    </section>
  );
}
