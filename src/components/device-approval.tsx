"use client";
// The approval buttons of /device: claim the code for this account (better-auth's GET
// /device), then approve or deny it. Approving needs a fresh sign-in: the server answers
// REAUTHENTICATION_REQUIRED otherwise, and the person is sent to sign in again.
import Link from "next/link";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button, buttonClasses } from "@/components/ui/button";
import { failureMessage, parseRetryAfter } from "@/lib/ui/failure-message";

type State = { step: "ask"; pending: "approve" | "deny" | null; error: string | null; reauth: boolean } | { step: "done"; approved: boolean };

async function send(path: string, init?: RequestInit): Promise<{ ok: true } | { ok: false; status: number; code: string | null; message: string | null; retryAfter: number | null }> {
  let res: Response;
  try {
    res = await fetch(`/api/auth${path}`, { credentials: "same-origin", ...init });
  } catch {
    return { ok: false, status: 0, code: null, message: null, retryAfter: null };
  }
  if (res.ok) return { ok: true };
  const body = (await res.json().catch(() => ({}))) as { code?: string; error?: string | { code?: string }; message?: string; error_description?: string };
  const code = typeof body.error === "object" ? (body.error.code ?? null) : (body.code ?? body.error ?? null);
  return { ok: false, status: res.status, code, message: body.message ?? body.error_description ?? null, retryAfter: parseRetryAfter(res.headers.get("retry-after")) };
}

export function DeviceApproval({ userCode, clientName, signInAgain }: { userCode: string; clientName: string; signInAgain: string }) {
  const [state, setState] = useState<State>({ step: "ask", pending: null, error: null, reauth: false });

  async function decide(approve: boolean) {
    setState({ step: "ask", pending: approve ? "approve" : "deny", error: null, reauth: false });
    const claim = await send(`/device?user_code=${encodeURIComponent(userCode)}`);
    const result = claim.ok
      ? await send(approve ? "/device/approve" : "/device/deny", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ userCode }) })
      : claim;
    if (result.ok) return setState({ step: "done", approved: approve });
    const reauth = result.code === "REAUTHENTICATION_REQUIRED";
    setState({ step: "ask", pending: null, error: reauth ? "Please sign in again to approve a device: it gets into your account." : failureMessage(result), reauth });
  }

  if (state.step === "done") {
    return state.approved ? (
      <Alert tone="success" role="status" title={`${clientName} is signed in`}>
        Go back to it: it continues on its own. It is listed in Active devices, where you can sign it out at any time.
      </Alert>
    ) : (
      <Alert tone="info" role="status" title="Request denied">
        {clientName} was not let in. Nothing else changed.
      </Alert>
    );
  }
  return (
    <div className="grid gap-4">
      {state.error && (
        <Alert tone="error" role="alert">
          {state.error}
        </Alert>
      )}
      {state.reauth ? (
        <Link href={signInAgain} className={buttonClasses("primary")}>
          Sign in again
        </Link>
      ) : (
        <div className="flex flex-wrap gap-3">
          <Button onClick={() => decide(true)} pending={state.pending === "approve"} pendingText="Approving…" disabled={state.pending !== null}>
            Approve {clientName}
          </Button>
          <Button variant="secondary" onClick={() => decide(false)} pending={state.pending === "deny"} pendingText="Denying…" disabled={state.pending !== null}>
            Deny
          </Button>
        </div>
      )}
    </div>
  );
}
