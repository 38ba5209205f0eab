"use client";
// Keeps a signed-in page honest while it stays open: listens to the session's event
// stream (GET /api/sessions/events) and, when the session ends, replaces the page's
// content at once (nothing of the account stays on screen) and goes to sign-in.
// Tabs of one browser tell each other through BroadcastChannel. When the stream cannot
// be held, the session is re-checked on focus, on visibility and every RECHECK_MS; and
// whatever this misses, the proxy refuses the tab's next request anyway.
import { useEffect, useRef, useState } from "react";
import { stopImpersonating } from "@/lib/ui/impersonation";
import { fetchSessions } from "@/lib/ui/sessions-api";
import {
  announceSignedOut,
  backoffMs,
  confirmedUnauthorized,
  isLeavingOnPurpose,
  RECHECK_MS,
  reissueAnswered,
  SESSIONS_CHANGED_EVENT,
  signedOutLocation,
  TABS_CHANNEL,
  type TabMessage,
} from "@/lib/ui/live-session";

export function LiveSession({ children }: { children: React.ReactNode }) {
  const [ended, setEnded] = useState(false);
  const endedRef = useRef(false);

  useEffect(() => {
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let attempt = 0;
    let disposed = false;
    const tabs = typeof BroadcastChannel === "undefined" ? null : new BroadcastChannel(TABS_CHANNEL);

    const signOut = (reason: string, tell: boolean) => {
      if (endedRef.current || disposed || isLeavingOnPurpose()) return;
      endedRef.current = true;
      setEnded(true);
      source?.close();
      if (tell) announceSignedOut(reason);
      // A support session the user ended: back to the admin's own session and the console.
      if (document.body.dataset.impersonating) return void stopImpersonating();
      window.location.replace(signedOutLocation(reason, window.location.pathname));
    };

    /** Is this browser still signed in? 401 ends the page; anything else is not a verdict. */
    const recheck = async (reason = "signed-out"): Promise<boolean> => {
      const result = await fetchSessions()
        .then((r) => confirmedUnauthorized(r, () => fetchSessions()))
        .catch(() => null);
      if (result && !result.ok && result.status === 401) {
        signOut(reason, true);
        return false;
      }
      return true;
    };

    /** Re-checks a few times over ~7 s before concluding this browser is signed out. */
    const stillSignedIn = async (): Promise<boolean> => {
      for (const wait of [0, 1_000, 2_000, 4_000]) {
        await new Promise((r) => setTimeout(r, wait));
        const result = await fetchSessions().catch(() => null);
        if (!result || result.ok || result.status !== 401) return true;
      }
      return false;
    };

    const connect = () => {
      if (disposed || endedRef.current) return;
      source = new EventSource("/api/sessions/events");
      source.addEventListener("open", () => {
        attempt = 0;
        // Says the page is live (for tests and for anyone debugging a tab).
        document.body.dataset.liveSession = "open";
      });
      source.addEventListener("session.ended", (e) => {
        const { reason, reissued } = JSON.parse((e as MessageEvent<string>).data) as { reason: string; reissued?: boolean };
        source?.close();
        if (!reissued) return signOut(reason, true);
        // This browser changed the password and is being signed in again under a new
        // session; its new cookie comes with the change's answer. The tab that asked waits
        // for that answer, however slow; a sibling tab re-checks for a few seconds.
        void reissueAnswered()
          .then(stillSignedIn)
          .then((alive) => (alive ? connect() : signOut(reason, true)));
      });
      source.addEventListener("sessions.changed", () => window.dispatchEvent(new Event(SESSIONS_CHANGED_EVENT)));
      // More tabs of this session than the server keeps streams for: this one steps
      // back to re-checks (and its siblings' broadcasts) instead of pushing another out.
      source.addEventListener("stream.replaced", () => source?.close());
      source.addEventListener("error", () => {
        delete document.body.dataset.liveSession;
        if (source?.readyState !== EventSource.CLOSED) return; // the browser is retrying by itself
        // Closed for good (a 401, or an answer that is not a stream): ask why, then retry later.
        void recheck().then((alive) => {
          if (!alive || disposed) return;
          retry = setTimeout(connect, backoffMs(attempt++));
        });
      });
    };

    const onTabMessage = (e: MessageEvent<TabMessage>) => {
      if (e.data?.type === "signed-out") signOut(e.data.reason, false);
    };
    tabs?.addEventListener("message", onTabMessage);

    const onFocus = () => {
      if (document.visibilityState === "visible") void recheck();
    };
    window.addEventListener("focus", onFocus);
    document.addEventListener("visibilitychange", onFocus);
    const poll = setInterval(() => {
      if (source?.readyState !== EventSource.OPEN) void recheck();
    }, RECHECK_MS);

    connect();
    return () => {
      disposed = true;
      source?.close();
      delete document.body.dataset.liveSession;
      if (retry) clearTimeout(retry);
      clearInterval(poll);
      window.removeEventListener("focus", onFocus);
      document.removeEventListener("visibilitychange", onFocus);
      tabs?.removeEventListener("message", onTabMessage);
      tabs?.close();
    };
  }, []);

  if (ended) {
    return (
      <div role="status" aria-live="assertive" className="grid gap-2 py-12 text-center" data-testid="signed-out-screen">
        <h1 className="text-2xl font-semibold tracking-tight">You were signed out</h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">This session has ended. Taking you to sign in…</p>
      </div>
    );
  }
  return <>{children}</>;
}
