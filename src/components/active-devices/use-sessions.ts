"use client";
// Loading the signed-in user's sessions for the panel: the first load (aborted when
// superseded), reloads on demand, when the tab comes back into view and when the live
// stream says the list changed, and a clock that
// keeps "2 minutes ago" honest. A 401 means this device's own session has ended.
import { useCallback, useEffect, useRef, useState } from "react";
import { confirmedUnauthorized, SESSIONS_CHANGED_EVENT } from "@/lib/ui/live-session";
import { fetchSessions, type ApiResult, type SessionView } from "@/lib/ui/sessions-api";

export type SessionsState = { status: "loading" } | { status: "ready"; sessions: SessionView[] } | { status: "error" };

const CLOCK_TICK_MS = 30_000;

export function useSessions({
  refreshSignal,
  onSessions,
  onSignedOut,
}: {
  /** Bump to reload (e.g. after a password change). */
  refreshSignal: number;
  /** The list after every load; null when it could not be loaded. */
  onSessions?: (sessions: SessionView[] | null) => void;
  /** This device's session has ended (signed out elsewhere). */
  onSignedOut: () => void;
}) {
  const [state, setState] = useState<SessionsState>({ status: "loading" });
  const [refreshing, setRefreshing] = useState(false);
  // The viewer's clock, null until mounted: relative times are not rendered on the server.
  const [now, setNow] = useState<number | null>(null);
  const callbacks = useRef({ onSessions, onSignedOut });
  useEffect(() => {
    callbacks.current = { onSessions, onSignedOut };
  });

  const apply = useCallback((result: ApiResult<{ sessions: SessionView[] }>) => {
    setRefreshing(false);
    setNow(Date.now());
    if (result.ok) {
      setState({ status: "ready", sessions: result.sessions });
      callbacks.current.onSessions?.(result.sessions);
      return;
    }
    if (result.status === 401) {
      callbacks.current.onSignedOut();
      return;
    }
    callbacks.current.onSessions?.(null);
    setState({ status: "error" });
  }, []);

  const reload = useCallback(() => {
    setRefreshing(true);
    fetchSessions()
      .then((r) => confirmedUnauthorized(r, () => fetchSessions()))
      .then(apply, () => {});
  }, [apply]);

  useEffect(() => {
    const controller = new AbortController();
    // Aborted when superseded or unmounted: that rejection is expected and ignored.
    fetchSessions(controller.signal)
      .then((r) => confirmedUnauthorized(r, () => fetchSessions(controller.signal)))
      .then(apply, () => {});
    return () => controller.abort();
  }, [apply, refreshSignal]);

  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), CLOCK_TICK_MS);
    const onVisible = () => {
      if (document.visibilityState === "visible") reload();
    };
    document.addEventListener("visibilitychange", onVisible);
    // The live stream (components/live-session.tsx) says the list changed elsewhere.
    window.addEventListener(SESSIONS_CHANGED_EVENT, reload);
    return () => {
      clearInterval(tick);
      document.removeEventListener("visibilitychange", onVisible);
      window.removeEventListener(SESSIONS_CHANGED_EVENT, reload);
    };
  }, [reload]);

  return { state, refreshing, now, reload };
}
