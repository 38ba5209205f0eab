"use client";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { authClient } from "@/lib/auth-client";
import { announceSignedOut, markLeavingOnPurpose } from "@/lib/ui/live-session";

export function SignOutButton({
  label = "Sign out",
  next,
}: {
  label?: string;
  /** Where the sign-in page sends the person afterwards (a same-site path). */
  next?: string;
} = {}) {
  const [pending, setPending] = useState(false);
  return (
    <Button
      variant="secondary"
      pending={pending}
      pendingText="Signing out…"
      onClick={async () => {
        setPending(true);
        // This tab navigates once, below; its live listener must not start another.
        markLeavingOnPurpose();
        await authClient.signOut();
        // This browser's other tabs leave the account too (their streams say so as well).
        announceSignedOut("sign-out");
        // A full page load drops every signed-in page the client router still holds.
        window.location.replace(next ? `/sign-in?next=${encodeURIComponent(next)}` : "/sign-in");
      }}
    >
      {label}
    </Button>
  );
}
