"use client";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { authClient } from "@/lib/auth-client";

export function SignOutButton() {
  const [pending, setPending] = useState(false);
  return (
    <Button
      variant="secondary"
      pending={pending}
      pendingText="Signing out…"
      onClick={async () => {
        setPending(true);
        await authClient.signOut();
        // A full page load drops every signed-in page the client router still holds.
        window.location.replace("/sign-in");
      }}
    >
      Sign out
    </Button>
  );
}
