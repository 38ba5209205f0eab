"use client";
// The Active devices panel: every session of the signed-in user, with sign-out for one
// or all other devices. Loading lives in use-sessions, the confirmation's states in
// confirm-machine, the pieces of the page in device-row / notice / confirm-dialog.
import { useRouter } from "next/navigation";
import { useEffect, useReducer, useRef } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { requestSignOut, signedOutUrl, type SessionView, type SignOutRequest } from "@/lib/ui/sessions-api";
import { confirmReducer, failureOutcome, type SignOutTarget } from "./confirm-machine";
import { SignOutDialog } from "./confirm-dialog";
import { DeviceListSkeleton, DeviceRow } from "./device-row";
import { NoticeRegion, useNotice } from "./notice";
import { plural } from "./plural";
import { useSessions } from "./use-sessions";

const PAGE = "/settings/security";

export function ActiveDevices({
  refreshSignal = 0,
  onSessions,
  hasPassword = true,
}: {
  /** Bump to reload the list (e.g. after a password change). */
  refreshSignal?: number;
  onSessions?: (sessions: SessionView[] | null) => void;
  /** False for an account made through a provider: re-authenticating means signing in again. */
  hasPassword?: boolean;
}) {
  const router = useRouter();
  const signedOut = () => router.replace(signedOutUrl(PAGE));
  const { state, refreshing, now, reload } = useSessions({ refreshSignal, onSessions, onSignedOut: signedOut });
  const { notice, show, dismiss } = useNotice();
  const [confirm, dispatch] = useReducer(confirmReducer, null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  // After a sign-out the opener (a row's button, or "all others") is about to disappear, so
  // focus goes to the heading, next to the notice. This runs after the dialog's own effect
  // has closed it (which hands focus back to the opener), so it wins.
  const focusHeadingOnClose = useRef(false);
  useEffect(() => {
    if (confirm !== null || !focusHeadingOnClose.current) return;
    focusHeadingOnClose.current = false;
    headingRef.current?.focus();
  }, [confirm]);

  const sessions = state.status === "ready" ? [...state.sessions].sort((a, b) => Number(b.isCurrent) - Number(a.isCurrent)) : [];
  const others = sessions.filter((s) => !s.isCurrent);

  /** The dialog is gone: say what happened, put focus somewhere that still exists, reload. */
  function finish(tone: "success" | "info", text: string) {
    focusHeadingOnClose.current = true;
    dispatch({ type: "close" });
    show(tone, text);
    reload();
  }

  async function signOut(target: SignOutTarget, password?: string) {
    dispatch({ type: "submit" });
    const body: SignOutRequest = target.kind === "one" ? { sessionId: target.session.id } : { all: true };
    if (password !== undefined) body.password = password;
    const result = await requestSignOut(body);
    if (result.ok) {
      finish(
        "success",
        target.kind === "one"
          ? `Signed out ${plural(result.revoked, "device", "devices")}: ${target.session.declaredClient ?? target.session.label}.`
          : result.revoked === 0
            ? "No other devices were signed in."
            : `Signed out ${plural(result.revoked, "other device", "other devices")}.`,
      );
      return;
    }
    switch (failureOutcome(result)) {
      case "signed-out":
        return signedOut();
      case "already-gone":
        return finish("info", "That device was already signed out.");
      case "in-dialog":
        dispatch({ type: "failed", failure: result });
    }
  }

  return (
    <section aria-labelledby="devices-heading" className="grid gap-4">
      <div>
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div className="min-w-0 flex-[1_1_16rem]">
            <h2 id="devices-heading" ref={headingRef} tabIndex={-1} className="text-lg font-semibold focus:outline-none">
              Active devices
            </h2>
            <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
              Devices signed in to your account. If you don&apos;t recognise one, sign it out and change your password.
            </p>
          </div>
          {state.status === "ready" && others.length > 0 && (
            <Button variant="secondary" className="shrink-0" onClick={() => dispatch({ type: "open", target: { kind: "all", count: others.length } })}>
              Sign out all other devices
            </Button>
          )}
        </div>
        <NoticeRegion notice={notice} onDismiss={dismiss} />
      </div>

      {state.status === "loading" && <DeviceListSkeleton />}

      {state.status === "error" && (
        <Alert tone="error" role="alert" title="We couldn't load your devices. Try again.">
          <p>
            <Button variant="secondary" onClick={reload} pending={refreshing} pendingText="Trying again…">
              Try again
            </Button>
          </p>
        </Alert>
      )}

      {state.status === "ready" && (
        <>
          {sessions.length === 0 ? (
            <p className="rounded-xl border border-dashed border-zinc-300 p-6 text-center text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
              No active sessions found.
            </p>
          ) : (
            <ul
              aria-label="Active devices"
              aria-busy={refreshing || undefined}
              className="@container divide-y divide-zinc-200 overflow-hidden rounded-xl border border-zinc-200 bg-white dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-900"
            >
              {sessions.map((s) => (
                <DeviceRow key={s.id} session={s} now={now} onSignOut={() => dispatch({ type: "open", target: { kind: "one", session: s } })} />
              ))}
            </ul>
          )}
          {others.length === 0 && sessions.length > 0 && (
            <p className="text-sm text-zinc-600 dark:text-zinc-400">You&apos;re signed in on this device only.</p>
          )}
        </>
      )}

      <SignOutDialog
        confirm={confirm}
        hasPassword={hasPassword}
        onCancel={() => dispatch({ type: "close" })}
        onConfirm={(password) => confirm && void signOut(confirm.target, password)}
        onPasswordMissing={() => dispatch({ type: "password-missing" })}
      />
    </section>
  );
}
