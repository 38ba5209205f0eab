"use client";
// Shown when a settings page fails to render, which in practice means a store it reads
// (Postgres) stopped answering mid-request. Later requests get the proxy's 503 page.
import { AuthCard } from "@/components/ui/card";

export default function SettingsError() {
  return (
    <AuthCard title="Temporarily unavailable" description="Your account data could not be loaded just now. Nothing was changed.">
      <p className="text-sm">
        Please try again in a moment.{" "}
        <button type="button" className="font-medium underline" onClick={() => window.location.reload()}>
          Try again
        </button>
      </p>
    </AuthCard>
  );
}
