"use client";
// "This wasn't me": the confirm button of /report-sign-in, then what to do next (reset the
// password, or sign out everywhere with the one-time token the server answered with).
import Link from "next/link";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button, buttonClasses } from "@/components/ui/button";
import { failureMessage } from "@/lib/ui/failure-message";
import { sendReport } from "@/lib/ui/security-api";

type State =
  | { step: "confirm"; pending: boolean; error: string | null }
  | { step: "reported"; ended: number; everywhereToken: string | null; pending: boolean; error: string | null }
  | { step: "everywhere"; ended: number };

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function ReportSignInForm({ token, device }: { token: string; device: string | null }) {
  const [state, setState] = useState<State>({ step: "confirm", pending: false, error: null });

  async function confirm() {
    setState({ step: "confirm", pending: true, error: null });
    const result = await sendReport(token);
    if (!result.ok) return setState({ step: "confirm", pending: false, error: failureMessage(result) });
    setState({ step: "reported", ended: result.ended, everywhereToken: result.signOutEverywhereToken ?? null, pending: false, error: null });
  }

  async function everywhere(s: Extract<State, { step: "reported" }>) {
    if (!s.everywhereToken) return;
    setState({ ...s, pending: true, error: null });
    const result = await sendReport(s.everywhereToken);
    if (!result.ok) return setState({ ...s, pending: false, error: failureMessage(result) });
    setState({ step: "everywhere", ended: result.ended });
  }

  if (state.step === "confirm") {
    return (
      <div className="grid gap-4">
        {state.error && (
          <Alert tone="error" role="alert">
            {state.error}
          </Alert>
        )}
        <Button variant="danger" onClick={confirm} pending={state.pending} pendingText="Signing it out…">
          {device ? `Sign out ${device}` : "Report this sign-in"}
        </Button>
      </div>
    );
  }

  const next = (
    <div className="grid gap-3">
      <p className="text-sm text-zinc-700 dark:text-zinc-300">
        Someone may know your password. Choose a new one: resetting it signs out every device.
      </p>
      <Link href="/forgot-password" className={buttonClasses("primary")}>
        Reset your password
      </Link>
    </div>
  );

  if (state.step === "everywhere") {
    return (
      <div className="grid gap-4">
        <Alert tone="success" role="status" title="Signed out everywhere">
          {state.ended > 0 ? `${plural(state.ended, "more device was", "more devices were")} signed out.` : "No other device was signed in."}
        </Alert>
        {next}
      </div>
    );
  }

  return (
    <div className="grid gap-4">
      <Alert tone="success" role="status" title={state.ended > 0 ? "That device is signed out" : "That device was already signed out"}>
        {state.ended > 0
          ? "Its very next request is refused, and any page it has open leaves the account."
          : "Nothing else was changed. The report is in your account's recent activity."}
      </Alert>
      {next}
      {state.everywhereToken && (
        <div className="grid gap-3 border-t border-zinc-200 pt-4 dark:border-zinc-800">
          <p className="text-sm text-zinc-700 dark:text-zinc-300">Not sure which other devices are yours? End every session now.</p>
          {state.error && (
            <Alert tone="error" role="alert">
              {state.error}
            </Alert>
          )}
          <Button variant="secondary" onClick={() => everywhere(state)} pending={state.pending} pendingText="Signing out…">
            Sign out everywhere
          </Button>
        </div>
      )}
    </div>
  );
}
