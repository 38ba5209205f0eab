"use client";
// "Recent activity" on /settings/security: the account's security events, newest first,
// 20 at a time with "Show more" (GET /api/security/activity). Reloads the first page when
// the live stream says the sessions changed (a sign-in or sign-out elsewhere) and on
// `refreshSignal`; the events are written just after the action, so the reload waits a
// moment for them.
import { useCallback, useEffect, useRef, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { activityPlace, activitySentence, isWarning } from "@/lib/ui/activity-text";
import { SESSIONS_CHANGED_EVENT } from "@/lib/ui/live-session";
import { formatExact, formatRelative } from "@/lib/ui/relative-time";
import { fetchActivity, type ActivityItem } from "@/lib/ui/security-api";

/** Events are written right after the action they describe; a live reload waits this long. */
const LIVE_RELOAD_DELAY_MS = 750;
const CLOCK_TICK_MS = 30_000;

type State =
  | { status: "loading" }
  | { status: "error" }
  | { status: "ready"; events: ActivityItem[]; nextCursor: string | null; more: "idle" | "loading" | "error" };

export function RecentActivity({ refreshSignal = 0 }: { refreshSignal?: number }) {
  const [state, setState] = useState<State>({ status: "loading" });
  const [now, setNow] = useState<number | null>(null);
  const generation = useRef(0);

  const loadFirst = useCallback(async () => {
    const mine = ++generation.current;
    const result = await fetchActivity(null);
    if (mine !== generation.current) return; // superseded by a newer reload
    setNow(Date.now());
    // A 401 is the Active devices panel's to handle (it leaves the page).
    setState(result.ok ? { status: "ready", events: result.events, nextCursor: result.nextCursor, more: "idle" } : { status: "error" });
  }, []);

  useEffect(() => {
    void loadFirst();
  }, [loadFirst, refreshSignal]);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onChanged = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void loadFirst(), LIVE_RELOAD_DELAY_MS);
    };
    const tick = setInterval(() => setNow(Date.now()), CLOCK_TICK_MS);
    window.addEventListener(SESSIONS_CHANGED_EVENT, onChanged);
    return () => {
      clearTimeout(timer);
      clearInterval(tick);
      window.removeEventListener(SESSIONS_CHANGED_EVENT, onChanged);
    };
  }, [loadFirst]);

  async function loadMore() {
    if (state.status !== "ready" || !state.nextCursor) return;
    const mine = generation.current;
    setState({ ...state, more: "loading" });
    const result = await fetchActivity(state.nextCursor);
    if (mine !== generation.current) return;
    if (!result.ok) return setState({ ...state, more: "error" });
    const seen = new Set(state.events.map((e) => e.id));
    setState({
      status: "ready",
      events: [...state.events, ...result.events.filter((e) => !seen.has(e.id))],
      nextCursor: result.nextCursor,
      more: "idle",
    });
  }

  return (
    <section aria-labelledby="activity-heading" className="grid gap-4">
      <div>
        <h2 id="activity-heading" className="text-lg font-semibold">
          Recent activity
        </h2>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          Sign-ins, sign-outs and password changes on your account in the last 90 days, newest first.
        </p>
      </div>

      {state.status === "loading" && (
        <p className="text-sm text-zinc-600 dark:text-zinc-400" aria-busy="true">
          Loading recent activity…
        </p>
      )}

      {state.status === "error" && (
        <Alert tone="error" role="alert" title="We couldn't load your recent activity.">
          <p>
            <Button variant="secondary" onClick={() => void loadFirst()}>
              Try again
            </Button>
          </p>
        </Alert>
      )}

      {state.status === "ready" && state.events.length === 0 && (
        <p className="rounded-xl border border-dashed border-zinc-300 p-6 text-center text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
          No activity in the last 90 days.
        </p>
      )}

      {state.status === "ready" && state.events.length > 0 && (
        <>
          <ol
            aria-label="Recent activity"
            className="divide-y divide-zinc-200 overflow-hidden rounded-xl border border-zinc-200 bg-white dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-900"
          >
            {state.events.map((e) => (
              <ActivityRow key={e.id} event={e} now={now} />
            ))}
          </ol>
          {state.more === "error" && (
            <Alert tone="error" role="alert">
              We couldn&apos;t load more activity. Try again.
            </Alert>
          )}
          {state.nextCursor && (
            <div>
              <Button variant="secondary" onClick={loadMore} pending={state.more === "loading"} pendingText="Loading…">
                Show more
              </Button>
            </div>
          )}
        </>
      )}
    </section>
  );
}

function ActivityRow({ event: e, now }: { event: ActivityItem; now: number | null }) {
  const place = activityPlace(e);
  const warn = isWarning(e);
  return (
    <li className="grid gap-1 p-4 text-sm" data-event-type={e.type}>
      <p className="font-medium wrap-anywhere">
        {warn && (
          <>
            <span className="rounded-full bg-amber-100 px-2 py-0.5 text-xs font-semibold text-amber-900 dark:bg-amber-900/50 dark:text-amber-100">
              Check
            </span>{" "}
          </>
        )}
        {activitySentence(e)}
        {e.thisDevice && <span className="text-zinc-600 dark:text-zinc-400"> (this device)</span>}
      </p>
      <p className="flex flex-wrap gap-x-2 text-zinc-600 dark:text-zinc-400">
        <time dateTime={e.at} title={now === null ? undefined : formatExact(e.at)} suppressHydrationWarning>
          {now === null ? "" : formatRelative(e.at, now)}
        </time>
        {place && (
          <>
            <span aria-hidden="true">·</span>
            <span className="min-w-0 wrap-anywhere">{place}</span>
          </>
        )}
      </p>
    </li>
  );
}
