"use client";
// The Active devices panel: every session of the signed-in user, with sign-out for one
// or all other devices. Reads and writes through /api/sessions (session ids, never tokens).
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";
import { DeviceIcon } from "@/components/device-icon";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { TextField } from "@/components/ui/field";
import { cx } from "@/lib/ui/cx";
import { formatExact, formatRelative } from "@/lib/ui/relative-time";
import { fetchSessions, revokeSessions, signedOutUrl, type RevokeRequest, type SessionView } from "@/lib/ui/sessions-api";

const PAGE = "/settings/security";
const NOTICE_MS = 12_000;

type LoadState = { status: "loading" } | { status: "ready"; sessions: SessionView[] } | { status: "error"; message: string };

type Target = { kind: "one"; session: SessionView } | { kind: "all"; count: number };

interface ConfirmState {
  target: Target;
  step: "confirm" | "password";
  pending: boolean;
  error: string | null;
  passwordError: string | null;
}

interface Notice {
  id: number;
  tone: "success" | "info";
  text: string;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function ActiveDevices({
  refreshSignal = 0,
  onSessions,
}: {
  /** Bump to reload the list (e.g. after a password change). */
  refreshSignal?: number;
  onSessions?: (sessions: SessionView[] | null) => void;
}) {
  const router = useRouter();
  const [state, setState] = useState<LoadState>({ status: "loading" });
  const [refreshing, setRefreshing] = useState(false);
  const [now, setNow] = useState<number | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [confirm, setConfirm] = useState<ConfirmState | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const onSessionsRef = useRef(onSessions);
  useEffect(() => {
    onSessionsRef.current = onSessions;
  });

  const apply = useCallback(
    (result: Awaited<ReturnType<typeof fetchSessions>>) => {
      setRefreshing(false);
      setNow(Date.now());
      if (result.ok) {
        setState({ status: "ready", sessions: result.sessions });
        onSessionsRef.current?.(result.sessions);
        return;
      }
      if (result.status === 401) {
        // This device's own session has ended (signed out elsewhere).
        router.replace(signedOutUrl(PAGE));
        return;
      }
      onSessionsRef.current?.(null);
      setState({ status: "error", message: "We couldn't load your devices. Try again." });
    },
    [router],
  );

  const reload = useCallback(() => {
    setRefreshing(true);
    fetchSessions().then(apply, () => {});
  }, [apply]);

  useEffect(() => {
    const controller = new AbortController();
    // Aborted when superseded or unmounted: that rejection is expected and ignored.
    fetchSessions(controller.signal).then(apply, () => {});
    return () => controller.abort();
  }, [apply, refreshSignal]);

  // Keep "2 minutes ago" honest, and refresh when the tab comes back into view.
  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), 30_000);
    const onVisible = () => {
      if (document.visibilityState === "visible") reload();
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      clearInterval(tick);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [reload]);

  useEffect(() => {
    if (!notice) return;
    const t = setTimeout(() => setNotice(null), NOTICE_MS);
    return () => clearTimeout(t);
  }, [notice]);

  useEffect(() => {
    if (confirm?.step === "password" && !confirm.pending) passwordRef.current?.focus();
  }, [confirm?.step, confirm?.pending, confirm?.passwordError]);

  const sessions = state.status === "ready" ? [...state.sessions].sort((a, b) => Number(b.isCurrent) - Number(a.isCurrent)) : [];
  const others = sessions.filter((s) => !s.isCurrent);

  async function submit(password?: string) {
    if (!confirm) return;
    const { target } = confirm;
    setConfirm({ ...confirm, pending: true, error: null, passwordError: null });
    const body: RevokeRequest = target.kind === "one" ? { sessionId: target.session.id } : { all: true };
    if (password !== undefined) body.password = password;
    const result = await revokeSessions(body);
    if (result.ok) {
      setConfirm(null);
      const text =
        target.kind === "one"
          ? `Signed out ${plural(result.revoked, "device", "devices")}: ${target.session.label}.`
          : result.revoked === 0
            ? "No other devices were signed in."
            : `Signed out ${plural(result.revoked, "other device", "other devices")}.`;
      setNotice({ id: Date.now(), tone: "success", text });
      headingRef.current?.focus();
      reload();
      return;
    }
    switch (result.code) {
      case "reauthentication_required":
        setConfirm({ target, step: "password", pending: false, error: null, passwordError: null });
        return;
      case "invalid_password":
        setConfirm({ target, step: "password", pending: false, error: null, passwordError: "That password is not correct." });
        return;
      case "session_not_found":
        setConfirm(null);
        setNotice({ id: Date.now(), tone: "info", text: "That device was already signed out." });
        headingRef.current?.focus();
        reload();
        return;
      case "unauthenticated":
        router.replace(signedOutUrl(PAGE));
        return;
      case "unavailable":
        setConfirm({ ...confirm, pending: false, error: "We couldn't reach the session service, so nothing was changed. Try again in a moment." });
        return;
      default:
        setConfirm({ ...confirm, pending: false, error: result.status === 0 ? "We couldn't reach the server. Check your connection and try again." : result.message });
    }
  }

  function open(target: Target) {
    setConfirm({ target, step: "confirm", pending: false, error: null, passwordError: null });
  }

  return (
    <section aria-labelledby="devices-heading" className="grid gap-4">
      <div>
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div className="min-w-64 flex-1">
            <h2 id="devices-heading" ref={headingRef} tabIndex={-1} className="text-lg font-semibold focus:outline-none">
              Active devices
            </h2>
            <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
              Devices signed in to your account. If you don&apos;t recognise one, sign it out and change your password.
            </p>
          </div>
          {state.status === "ready" && others.length > 0 && (
            <Button variant="secondary" className="shrink-0" onClick={() => open({ kind: "all", count: others.length })}>
              Sign out all other devices
            </Button>
          )}
        </div>
        {/* Always in the DOM so that screen readers announce what appears in it. */}
        <div role="status" aria-live="polite">
          {notice && (
            <div
              key={notice.id}
              className={cx(
                "mt-4 flex items-center justify-between gap-3 rounded-lg border px-4 py-3 text-sm font-medium",
                notice.tone === "success"
                  ? "border-emerald-300 bg-emerald-50 text-emerald-900 dark:border-emerald-700 dark:bg-emerald-900/30 dark:text-emerald-100"
                  : "border-accent-300 bg-accent-50 text-accent-900 dark:border-accent-700 dark:bg-accent-900/30 dark:text-accent-100",
              )}
            >
              <span>{notice.text}</span>
              <button type="button" onClick={() => setNotice(null)} className="rounded p-1 hover:bg-black/5 dark:hover:bg-white/10" aria-label="Dismiss">
                <svg viewBox="0 0 20 20" fill="currentColor" className="size-4" aria-hidden="true">
                  <path d="M6.28 5.22a.75.75 0 0 0-1.06 1.06L8.94 10l-3.72 3.72a.75.75 0 1 0 1.06 1.06L10 11.06l3.72 3.72a.75.75 0 1 0 1.06-1.06L11.06 10l3.72-3.72a.75.75 0 0 0-1.06-1.06L10 8.94 6.28 5.22Z" />
                </svg>
              </button>
            </div>
          )}
        </div>
      </div>

      {state.status === "loading" && <DeviceListSkeleton />}

      {state.status === "error" && (
        <Alert tone="error" role="alert" title={state.message}>
          <p>
            <Button variant="secondary" onClick={reload} pending={refreshing} pendingText="Trying again…">
              Try again
            </Button>
          </p>
        </Alert>
      )}

      {state.status === "ready" && (
        <>
          {sessions.length === 0 ? (
            <p className="rounded-xl border border-dashed border-zinc-300 p-6 text-center text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
              No active sessions found.
            </p>
          ) : (
            <ul
              aria-label="Active devices"
              aria-busy={refreshing || undefined}
              className="divide-y divide-zinc-200 overflow-hidden rounded-xl border border-zinc-200 bg-white dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-900"
            >
              {sessions.map((s) => (
                <DeviceRow key={s.id} session={s} now={now} onSignOut={() => open({ kind: "one", session: s })} />
              ))}
            </ul>
          )}
          {others.length === 0 && sessions.length > 0 && (
            <p className="text-sm text-zinc-600 dark:text-zinc-400">You&apos;re signed in on this device only.</p>
          )}
        </>
      )}

      <Dialog
        open={confirm !== null}
        busy={confirm?.pending}
        onClose={() => setConfirm(null)}
        title={
          confirm?.step === "password"
            ? "Confirm your password"
            : confirm?.target.kind === "all"
              ? "Sign out all other devices?"
              : "Sign out this device?"
        }
        description={confirm ? <ConfirmText confirm={confirm} /> : null}
      >
        {confirm && (
          <form
            className="grid gap-4"
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              if (confirm.step === "password") {
                const password = String(new FormData(e.currentTarget).get("password") ?? "");
                if (!password) {
                  setConfirm({ ...confirm, passwordError: "Enter your password." });
                  passwordRef.current?.focus();
                  return;
                }
                void submit(password);
              } else {
                void submit();
              }
            }}
          >
            {confirm.step === "password" && (
              <TextField
                ref={passwordRef}
                label="Password"
                name="password"
                type="password"
                autoComplete="current-password"
                required
                error={confirm.passwordError}
              />
            )}
            {confirm.error && (
              <Alert tone="error" role="alert">
                {confirm.error}
              </Alert>
            )}
            <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
              <Button variant="secondary" onClick={() => setConfirm(null)} disabled={confirm.pending} autoFocus={confirm.step === "confirm"}>
                Cancel
              </Button>
              <Button type="submit" variant="danger" pending={confirm.pending} pendingText="Signing out…">
                {confirm.step === "password"
                  ? "Confirm and sign out"
                  : confirm.target.kind === "all"
                    ? `Sign out ${plural(confirm.target.count, "device", "devices")}`
                    : "Sign out"}
              </Button>
            </div>
          </form>
        )}
      </Dialog>
    </section>
  );
}

function ConfirmText({ confirm }: { confirm: ConfirmState }) {
  if (confirm.step === "password") {
    return (
      <p>
        You signed in on this device a while ago. To sign out{" "}
        {confirm.target.kind === "all" ? "your other devices" : <strong>{confirm.target.session.label}</strong>}, enter
        your password.
      </p>
    );
  }
  if (confirm.target.kind === "all") {
    return (
      <p>
        Every device except this one will be signed out at once ({plural(confirm.target.count, "device", "devices")}).
        They&apos;ll need your password to sign in again.
      </p>
    );
  }
  const s = confirm.target.session;
  return (
    <p>
      <strong>{s.label}</strong>
      {s.ipAddress ? ` (IP ${s.ipAddress})` : ""} will be signed out at once. It will need your password to sign in again.
    </p>
  );
}

function When({ iso, now }: { iso: string; now: number | null }) {
  // Relative text needs the viewer's clock: until mounted, show nothing that could differ.
  return (
    <time dateTime={iso} title={now === null ? undefined : formatExact(iso)} suppressHydrationWarning>
      {now === null ? "" : formatRelative(iso, now)}
    </time>
  );
}

function DeviceRow({ session: s, now, onSignOut }: { session: SessionView; now: number | null; onSignOut: () => void }) {
  return (
    <li className="flex flex-col gap-3 p-4 sm:flex-row sm:items-center sm:gap-4" data-session-id={s.id} data-current={s.isCurrent || undefined}>
      <div className="flex min-w-0 flex-1 items-start gap-4">
        <div
          className={cx(
            "grid size-11 shrink-0 place-items-center rounded-full",
            s.isCurrent
              ? "bg-accent-100 text-accent-700 dark:bg-accent-900/50 dark:text-accent-300"
              : "bg-zinc-100 text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300",
          )}
        >
          <DeviceIcon deviceType={s.deviceType} />
        </div>
        <div className="min-w-0 flex-1">
          <p className="flex flex-wrap items-center gap-2 font-medium">
            <span className="break-words">{s.label}</span>
            {s.isCurrent && (
              <span className="rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-semibold text-emerald-800 dark:bg-emerald-900/50 dark:text-emerald-200">
                This device
              </span>
            )}
          </p>
          <dl className="mt-1 grid gap-x-4 gap-y-0.5 text-sm text-zinc-600 sm:grid-cols-[auto_auto_auto] sm:justify-start dark:text-zinc-400">
            <div className="flex gap-1">
              <dt>IP address</dt>
              <dd className="font-mono text-zinc-800 dark:text-zinc-200">{s.ipAddress ?? "unknown"}</dd>
            </div>
            <div className="flex gap-1">
              <dt>Signed in</dt>
              <dd>
                <When iso={s.createdAt} now={now} />
              </dd>
            </div>
            <div className="flex gap-1">
              <dt>Last active</dt>
              <dd>{s.isCurrent ? "now" : <When iso={s.lastActiveAt} now={now} />}</dd>
            </div>
          </dl>
        </div>
      </div>
      {!s.isCurrent && (
        <Button variant="secondary" onClick={onSignOut} aria-label={`Sign out ${s.label}`} className="ml-15 self-start sm:ml-0 sm:self-center">
          Sign out
        </Button>
      )}
    </li>
  );
}

function DeviceListSkeleton() {
  return (
    <div aria-busy="true" className="overflow-hidden rounded-xl border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
      <span className="sr-only">Loading your devices…</span>
      {[0, 1].map((i) => (
        <div key={i} className="flex animate-pulse items-center gap-4 border-zinc-200 p-4 not-first:border-t dark:border-zinc-800" aria-hidden="true">
          <div className="size-11 rounded-full bg-zinc-200 dark:bg-zinc-800" />
          <div className="grid flex-1 gap-2">
            <div className="h-4 w-48 rounded bg-zinc-200 dark:bg-zinc-800" />
            <div className="h-3 w-72 max-w-full rounded bg-zinc-100 dark:bg-zinc-800/60" />
          </div>
        </div>
      ))}
    </div>
  );
}
