"use client";
// "Ways to sign in" on /settings/security: the password and each linked provider, a Link
// button for each configured provider not linked yet, and Unlink where another way in
// remains (the server refuses the last one anyway). Linking and unlinking need a recent
// sign-in (the front door's rule); the panel says so when the server asks for one.
import { useSearchParams } from "next/navigation";
import { useCallback, useEffect, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { authClient } from "@/lib/auth-client";
import type { OAuthProviderId } from "@/lib/sign-in-context";
import { authRequest } from "@/lib/ui/auth-request";
import { failureMessage, type RequestFailure } from "@/lib/ui/failure-message";
import { oauthErrorMessage } from "@/lib/ui/oauth-errors";
import type { ProviderButton } from "./provider-buttons";

interface LinkedAccount {
  id: string;
  providerId: string;
}

const SETTINGS = "/settings/security";

function message(failure: RequestFailure): string {
  if (failure.code === "REAUTHENTICATION_REQUIRED") {
    return "For your security, sign out and sign in again before changing how you sign in (a sign-in from the last few minutes is needed).";
  }
  if (failure.code === "FAILED_TO_UNLINK_LAST_ACCOUNT") return "That is your only way to sign in, so it can't be removed.";
  return failureMessage(failure, { tooMany: "Too many attempts." });
}

export function LinkedAccounts({ providers }: { providers: ProviderButton[] }) {
  const params = useSearchParams();
  const [accounts, setAccounts] = useState<LinkedAccount[] | null>(null);
  const [error, setError] = useState<string | null>(() => oauthErrorMessage(params.get("error")));
  const [pending, setPending] = useState<string | null>(null);

  const load = useCallback(async () => {
    const result = await authRequest<LinkedAccount[]>((fetchOptions) => authClient.listAccounts({ fetchOptions }));
    if (result.ok) setAccounts(result.data);
    else setError(message(result.failure));
  }, []);

  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- loading the list is the effect
    void load();
  }, [load]);

  const nameOf = (providerId: string) => providers.find((p) => p.id === providerId)?.name ?? providerId;
  const linked = (accounts ?? []).filter((a) => a.providerId !== "credential");
  const hasPassword = (accounts ?? []).some((a) => a.providerId === "credential");
  const linkable = providers.filter((p) => !linked.some((a) => a.providerId === p.id));

  async function link(provider: OAuthProviderId) {
    setPending(provider);
    setError(null);
    const result = await authRequest<{ url?: string }>((fetchOptions) =>
      authClient.linkSocial({ provider, callbackURL: SETTINGS, errorCallbackURL: SETTINGS, disableRedirect: true, fetchOptions }),
    );
    if (result.ok && result.data?.url) return window.location.assign(result.data.url);
    setPending(null);
    setError(result.ok ? "Linking didn't start. Please try again." : message(result.failure));
  }

  async function unlink(account: LinkedAccount) {
    setPending(account.id);
    setError(null);
    const result = await authRequest((fetchOptions) => authClient.unlinkAccount({ accountId: account.id, fetchOptions }));
    setPending(null);
    if (!result.ok) return setError(message(result.failure));
    await load();
  }

  const total = linked.length + (hasPassword ? 1 : 0);
  return (
    <section aria-labelledby="linked-heading" className="grid gap-4">
      <div>
        <h2 id="linked-heading" className="text-lg font-semibold">
          Ways to sign in
        </h2>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          A provider can be linked only when it has verified the same email address as this account.
        </p>
      </div>
      {error && (
        <Alert tone="error" role="alert">
          {error}
        </Alert>
      )}
      {accounts === null ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">Loading…</p>
      ) : (
        <ul className="grid gap-2" aria-label="Ways to sign in">
          {hasPassword && (
            <li className="flex min-h-10 items-center justify-between gap-3">
              <span>Password</span>
            </li>
          )}
          {linked.map((a) => (
            <li key={a.id} className="flex min-h-10 items-center justify-between gap-3">
              <span>{nameOf(a.providerId)}</span>
              {total > 1 && (
                <Button variant="secondary" pending={pending === a.id} pendingText="Unlinking…" disabled={pending !== null} onClick={() => unlink(a)} aria-label={`Unlink ${nameOf(a.providerId)}`}>
                  Unlink
                </Button>
              )}
            </li>
          ))}
          {linkable.map((p) => (
            <li key={p.id} className="flex min-h-10 items-center justify-between gap-3">
              <span className="text-zinc-600 dark:text-zinc-400">{p.name} (not linked)</span>
              <Button variant="secondary" pending={pending === p.id} pendingText="Redirecting…" disabled={pending !== null} onClick={() => link(p.id)} aria-label={`Link ${p.name}`}>
                Link
              </Button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
