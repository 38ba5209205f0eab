"use client";
// "Continue with GitHub / Google / <OIDC provider>": one button per configured provider
// (the server passes the list; none configured, none shown). better-auth answers with the
// provider's URL, and the browser goes there.
import { useSearchParams } from "next/navigation";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { authClient } from "@/lib/auth-client";
import type { OAuthProviderId } from "@/lib/sign-in-context";
import { authRequest } from "@/lib/ui/auth-request";
import { failureMessage } from "@/lib/ui/failure-message";
import { oauthErrorMessage } from "@/lib/ui/oauth-errors";
import { safeNextPath } from "@/lib/safe-next";

export interface ProviderButton {
  id: OAuthProviderId;
  name: string;
}

export function ProviderButtons({ providers }: { providers: ProviderButton[] }) {
  const params = useSearchParams();
  const next = safeNextPath(params.get("next"));
  const [pending, setPending] = useState<OAuthProviderId | null>(null);
  // A round trip that came back with ?error= (the provider's answer, or a refused link).
  const [error, setError] = useState<string | null>(() => oauthErrorMessage(params.get("error")));
  // During the second step of a sign-in (sign-in-form.tsx) the ways in step aside.
  if (providers.length === 0 || params.get("step") === "two-factor") return null;

  async function start(provider: OAuthProviderId) {
    setPending(provider);
    setError(null);
    const errorCallbackURL = next === "/settings/security" ? "/sign-in" : `/sign-in?next=${encodeURIComponent(next)}`;
    const result = await authRequest<{ url?: string }>((fetchOptions) =>
      authClient.signIn.social({ provider, callbackURL: next, errorCallbackURL, disableRedirect: true, fetchOptions }),
    );
    if (!result.ok || !result.data?.url) {
      setPending(null);
      setError(result.ok ? "Signing in with the provider didn't work. Please try again." : failureMessage(result.failure, { tooMany: "Too many sign-in attempts." }));
      return;
    }
    window.location.assign(result.data.url);
  }

  return (
    <div className="grid gap-3" aria-label="Sign in with a provider" role="group">
      {error && (
        <Alert tone="error" role="alert" id="oauth-error">
          {error}
        </Alert>
      )}
      {providers.map((p) => (
        <Button key={p.id} variant="secondary" className="w-full" pending={pending === p.id} pendingText={`Continuing with ${p.name}…`} disabled={pending !== null} onClick={() => start(p.id)}>
          Continue with {p.name}
        </Button>
      ))}
      <p className="flex items-center gap-3 text-xs text-zinc-500 before:h-px before:flex-1 before:bg-zinc-200 after:h-px after:flex-1 after:bg-zinc-200 dark:before:bg-zinc-800 dark:after:bg-zinc-800">
        or with your email
      </p>
    </div>
  );
}
