"use client";
// The support banner: "You are signed in as Grace (support). 52 min left. Stop impersonating".
// Stop is better-auth's stop-impersonating: the browser returns to the admin's own session
// and to the console. The body's data-impersonating tells LiveSession to do the same when the
// user ends this session from their panel.
import { useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import { stopImpersonating } from "@/lib/ui/impersonation";

function timeLeft(expiresAt: string, now: number): string {
  const minutes = Math.max(0, Math.ceil((new Date(expiresAt).getTime() - now) / 60_000));
  return minutes <= 1 ? "less than a minute left" : `${minutes} min left`;
}

export function ImpersonationBar({ userName, expiresAt }: { userName: string; expiresAt: string }) {
  const [now, setNow] = useState<number | null>(null);
  const [pending, setPending] = useState(false);
  useEffect(() => {
    document.body.dataset.impersonating = "true";
    // The clock starts after hydration (the server's time would not match the browser's).
    const first = setTimeout(() => setNow(Date.now()), 0);
    const tick = setInterval(() => setNow(Date.now()), 30_000);
    return () => {
      clearTimeout(first);
      clearInterval(tick);
      delete document.body.dataset.impersonating;
    };
  }, []);
  const stop = async () => {
    setPending(true);
    await stopImpersonating();
  };
  return (
    <div role="region" aria-label="Support access" className="border-b border-sky-300 bg-sky-50 text-sky-950 dark:border-sky-800 dark:bg-sky-950 dark:text-sky-50" data-testid="impersonation-banner">
      <div className="mx-auto flex max-w-4xl flex-wrap items-center justify-between gap-3 px-4 py-2 text-sm sm:px-6">
        <p role="status">
          You are signed in as <strong className="wrap-anywhere">{userName}</strong> (support).
          {now !== null && <span> {timeLeft(expiresAt, now)}.</span>}
        </p>
        <Button variant="secondary" pending={pending} onClick={stop}>
          Stop impersonating
        </Button>
      </div>
    </div>
  );
}
