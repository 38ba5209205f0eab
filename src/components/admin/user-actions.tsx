"use client";
// The console's buttons: each POSTs to its /api/admin route (which checks the role again),
// then reloads the page's data from the server.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { failureMessage } from "@/lib/ui/failure-message";

async function post(path: string, body: unknown): Promise<string | null> {
  try {
    const res = await fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    if (res.ok) return null;
    // The app's { error: { code, message } }, or better-auth's { code, message }.
    const json = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string }; code?: string; message?: string } | null;
    return failureMessage({ status: res.status, code: json?.error?.code ?? json?.code ?? null, message: json?.error?.message ?? json?.message ?? null });
  } catch {
    return failureMessage({ status: 0 });
  }
}

function useAction() {
  const router = useRouter();
  const [pending, setPending] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (name: string, path: string, body: unknown = {}) => {
    setPending(name);
    setError(null);
    const failed = await post(path, body);
    setPending(null);
    if (failed) setError(failed);
    else router.refresh();
  };
  return { pending, error, run };
}

/**
 * "View as this user": better-auth's impersonate-user (lib/auth/impersonation.ts holds the
 * rules: a fresh sign-in, the second factor, no admin or suspended account). On success the
 * browser holds the support session and goes to the user's Security page.
 */
export function ImpersonateButton({ userId }: { userId: string }) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const start = async () => {
    setPending(true);
    setError(null);
    const failed = await post("/api/auth/admin/impersonate-user", { userId });
    if (failed) {
      setPending(false);
      setError(failed);
    } else window.location.replace("/settings/security"); // a full load: the page renders with the support session
  };
  return (
    <div className="grid gap-1">
      <Button variant="secondary" pending={pending} onClick={start}>
        View as this user (1 hour)
      </Button>
      {error && (
        <span role="alert" className="text-sm text-red-700 dark:text-red-300">
          {error}
        </span>
      )}
    </div>
  );
}

export function EndSessionButton({ userId, sessionId, label }: { userId: string; sessionId: string; label: string }) {
  const { pending, error, run } = useAction();
  return (
    <div className="grid justify-items-end gap-1">
      <Button variant="secondary" pending={pending !== null} aria-label={`End session on ${label}`} onClick={() => run("end", `/api/admin/users/${userId}/sessions`, { sessionId })}>
        End session
      </Button>
      {error && <span role="alert" className="text-sm text-red-700">{error}</span>}
    </div>
  );
}

const EXPIRIES: [string, number | null][] = [
  ["Until lifted", null],
  ["1 hour", 3600],
  ["1 day", 86_400],
  ["7 days", 7 * 86_400],
  ["30 days", 30 * 86_400],
];

export function AdminUserActions({ userId, banned }: { userId: string; banned: boolean }) {
  const { pending, error, run } = useAction();
  const [reason, setReason] = useState("");
  const [expiry, setExpiry] = useState("0");
  const base = `/api/admin/users/${userId}`;
  const ban = () => {
    const expiresIn = EXPIRIES[Number(expiry)]?.[1];
    run("ban", `${base}/ban`, { ...(reason.trim() ? { reason: reason.trim() } : {}), ...(expiresIn ? { expiresIn } : {}) });
  };
  return (
    <Card className="grid gap-4 p-6">
      <h2 className="text-lg font-semibold">Actions</h2>
      {error && (
        <Alert tone="error" role="alert">
          {error}
        </Alert>
      )}
      <div className="flex flex-wrap gap-3">
        <Button variant="secondary" pending={pending === "all"} onClick={() => run("all", `${base}/sessions`, { all: true })}>
          End all sessions
        </Button>
        <Button variant="secondary" pending={pending === "reset"} onClick={() => run("reset", `${base}/password-reset`)}>
          Require a password reset
        </Button>
      </div>
      {banned ? (
        <div>
          <Button variant="secondary" pending={pending === "unban"} onClick={() => run("unban", `${base}/unban`)}>
            Lift suspension
          </Button>
        </div>
      ) : (
        <div className="flex flex-wrap items-end gap-3">
          <label className="grid flex-1 gap-1.5 text-sm font-medium">
            Reason (shown to the user)
            <input value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} className="min-h-10 rounded-lg border border-zinc-300 px-3 py-2 dark:border-zinc-700 dark:bg-zinc-900" />
          </label>
          <label className="grid gap-1.5 text-sm font-medium">
            For
            <select value={expiry} onChange={(e) => setExpiry(e.target.value)} className="min-h-10 rounded-lg border border-zinc-300 px-3 py-2 dark:border-zinc-700 dark:bg-zinc-900">
              {EXPIRIES.map(([text], i) => (
                <option key={text} value={String(i)}>
                  {text}
                </option>
              ))}
            </select>
          </label>
          <Button variant="danger" pending={pending === "ban"} onClick={ban}>
            Suspend account
          </Button>
        </div>
      )}
    </Card>
  );
}
