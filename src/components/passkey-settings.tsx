"use client";
// Passkeys on /settings/security: the account's passkeys (name, when added), add one (named;
// the browser asks the device for a PIN, fingerprint or face), rename one, remove one
// (confirmed). Adding and removing need a recent sign-in (the front door answers
// REAUTHENTICATION_REQUIRED otherwise); both are emailed and appear in Recent activity.
import { useCallback, useEffect, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { TextField } from "@/components/ui/field";
import { authClient } from "@/lib/auth-client";
import { authRequest } from "@/lib/ui/auth-request";
import { failureMessage, NETWORK_FAILURE, type RequestFailure } from "@/lib/ui/failure-message";
import { twoFactorRequest as postJson } from "@/lib/ui/two-factor-api";

interface PasskeyRow {
  id: string;
  name?: string | null;
  createdAt?: string | null;
}

const NAME_MAX = 100;

function problem(failure: RequestFailure): string {
  if (failure.code === "REAUTHENTICATION_REQUIRED") return "For your security, sign out and sign in again, then retry within a few minutes.";
  if (failure.code === "PASSKEY_NOT_FOUND") return "That passkey was already removed. The list has been refreshed.";
  return failureMessage(failure, { fallback: "Nothing was changed. Please try again." });
}

function nameProblem(name: string): string | null {
  if (!name) return "Enter a name, like “Work laptop”.";
  if (name.length > NAME_MAX) return `Use at most ${NAME_MAX} characters.`;
  return null;
}

async function fetchPasskeys(): Promise<{ ok: true; passkeys: PasskeyRow[] } | { ok: false; failure: RequestFailure }> {
  try {
    const res = await fetch("/api/auth/passkey/list-user-passkeys", { credentials: "same-origin", headers: { accept: "application/json" } });
    const body = (await res.json().catch(() => null)) as PasskeyRow[] | { code?: string } | null;
    if (res.ok && Array.isArray(body)) return { ok: true, passkeys: body };
    return { ok: false, failure: { status: res.status, code: body && !Array.isArray(body) ? (body.code ?? null) : null } };
  } catch {
    return { ok: false, failure: NETWORK_FAILURE };
  }
}

const added = (at?: string | null) => (at ? new Date(at).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" }) : "unknown date");

export function PasskeySettings() {
  const [passkeys, setPasskeys] = useState<PasskeyRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [nameError, setNameError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [renaming, setRenaming] = useState<PasskeyRow | null>(null);
  const [removing, setRemoving] = useState<PasskeyRow | null>(null);

  const load = useCallback(async () => {
    const result = await fetchPasskeys();
    if (result.ok) setPasskeys(result.passkeys);
    else setError(problem(result.failure));
  }, []);

  useEffect(() => {
    let live = true;
    void fetchPasskeys().then((result) => {
      if (!live) return;
      if (result.ok) setPasskeys(result.passkeys);
      else setError(problem(result.failure));
    });
    return () => {
      live = false;
    };
  }, []);

  function say(message: string | null, failed = false) {
    setDone(failed ? null : message);
    setError(failed ? message : null);
  }

  async function onAdd(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const name = String(new FormData(e.currentTarget).get("name") ?? "").trim();
    const invalid = nameProblem(name);
    setNameError(invalid);
    if (invalid) return;
    setPending(true);
    say(null);
    const r = await authRequest((fetchOptions) => authClient.passkey.addPasskey({ name, fetchOptions }));
    setPending(false);
    if (!r.ok) return say(problem(r.failure), true);
    setAdding(false);
    say(`Passkey “${name}” added. You can now sign in with it, without your password.`);
    await load();
  }

  async function onRename(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (!renaming) return;
    const name = String(new FormData(e.currentTarget).get("name") ?? "").trim();
    const invalid = nameProblem(name);
    setNameError(invalid);
    if (invalid) return;
    setPending(true);
    const r = await postJson("/passkey/update-passkey", { id: renaming.id, name });
    setPending(false);
    setRenaming(null);
    if (!r.ok) {
      say(problem(r.failure), true);
    } else say(`Passkey renamed to “${name}”.`);
    await load();
  }

  async function onRemove() {
    if (!removing) return;
    setPending(true);
    const r = await postJson("/passkey/delete-passkey", { id: removing.id });
    setPending(false);
    const name = removing.name || "Passkey";
    setRemoving(null);
    if (!r.ok) say(problem(r.failure), true);
    else say(`Passkey “${name}” removed. It can no longer sign in to your account.`);
    await load();
  }

  return (
    <section aria-labelledby="passkeys-title" className="grid gap-4">
      <div>
        <h2 id="passkeys-title" className="text-lg font-semibold">
          Passkeys
        </h2>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          Sign in with your device&apos;s screen lock (PIN, fingerprint or face) instead of a password. A passkey that
          checks it is you counts as two factors, so no authenticator code is asked.
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
      {passkeys === null ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">Loading passkeys…</p>
      ) : passkeys.length === 0 ? (
        <p className="text-sm" data-testid="no-passkeys">
          No passkeys yet.
        </p>
      ) : (
        <ul aria-label="Your passkeys" className="grid gap-2">
          {passkeys.map((p) => (
            <li key={p.id} className="flex flex-wrap items-center justify-between gap-2 rounded-lg border border-zinc-200 p-3 dark:border-zinc-700">
              <div className="min-w-0">
                <p className="font-medium wrap-anywhere">{p.name || "Passkey"}</p>
                <p className="text-sm text-zinc-600 dark:text-zinc-400">Added {added(p.createdAt)}</p>
              </div>
              <div className="flex gap-2">
                <Button
                  variant="secondary"
                  aria-label={`Rename ${p.name || "Passkey"}`}
                  onClick={() => {
                    setNameError(null);
                    setRenaming(p);
                  }}
                >
                  Rename
                </Button>
                <Button variant="secondary" aria-label={`Remove ${p.name || "Passkey"}`} onClick={() => setRemoving(p)}>
                  Remove
                </Button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {adding ? (
        <form className="grid gap-3" onSubmit={onAdd} noValidate>
          <TextField label="Passkey name" name="name" hint="So you can tell your passkeys apart, like “Work laptop”." maxLength={NAME_MAX} error={nameError ?? undefined} autoFocus />
          <div className="flex flex-wrap gap-2">
            <Button type="submit" pending={pending} pendingText="Waiting for your device…">
              Create passkey
            </Button>
            <Button variant="ghost" onClick={() => setAdding(false)}>
              Cancel
            </Button>
          </div>
        </form>
      ) : (
        <div>
          <Button
            variant="secondary"
            onClick={() => {
              setNameError(null);
              say(null);
              setAdding(true);
            }}
          >
            Add a passkey
          </Button>
        </div>
      )}
      <Dialog open={renaming !== null} onClose={() => setRenaming(null)} title="Rename passkey" busy={pending}>
        {renaming && (
          <form className="grid gap-3" onSubmit={onRename} noValidate>
            <TextField label="New name" name="name" defaultValue={renaming.name ?? ""} maxLength={NAME_MAX} error={nameError ?? undefined} autoFocus />
            <div className="flex flex-wrap gap-2">
              <Button type="submit" pending={pending} pendingText="Saving…">
                Save name
              </Button>
              <Button variant="ghost" onClick={() => setRenaming(null)}>
                Cancel
              </Button>
            </div>
          </form>
        )}
      </Dialog>
      <Dialog
        open={removing !== null}
        onClose={() => setRemoving(null)}
        title="Remove this passkey?"
        description={removing ? `“${removing.name || "Passkey"}” will no longer sign in to your account. We will email you about it.` : undefined}
        busy={pending}
      >
        <div className="flex flex-wrap gap-2">
          <Button variant="danger" onClick={onRemove} pending={pending} pendingText="Removing…">
            Remove passkey
          </Button>
          <Button variant="ghost" onClick={() => setRemoving(null)}>
            Cancel
          </Button>
        </div>
      </Dialog>
    </section>
  );
}
