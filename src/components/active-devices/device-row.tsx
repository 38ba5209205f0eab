// One row of the Active devices list, and the skeleton shown while the list loads.
// Layout: icon | label and details | Sign out, side by side when the list (a CSS container)
// is at least 32rem wide, else the button goes under the text. The details are a wrapping row of
// "term value" pairs; a pair moves to the next line as a whole, at 320 px its value may go
// under its term, but a term or a time never breaks word by word. The location and the
// sign-in method may wrap between words; only the IP address (an IPv6 /64 is 39 characters
// of monospace) may break inside itself.
import { DeviceIcon } from "@/components/device-icon";
import { Button } from "@/components/ui/button";
import { cx } from "@/lib/ui/cx";
import { SIGN_IN_METHOD_WORDS } from "@/lib/sign-in-context";
import { formatExact, formatRelative } from "@/lib/ui/relative-time";
import type { SessionView } from "@/lib/ui/sessions-api";

function When({ iso, now }: { iso: string; now: number | null }) {
  // Relative text needs the viewer's clock: until mounted, show nothing that could differ.
  return (
    <time dateTime={iso} title={now === null ? undefined : formatExact(iso)} suppressHydrationWarning>
      {now === null ? "" : formatRelative(iso, now)}
    </time>
  );
}

/** An IP address that, when it must break, breaks after a colon or dot (IPv6: "2001:0db8:…:"). */
function Address({ ip }: { ip: string }) {
  const parts = ip.split(/(?<=[:.])/);
  return parts.map((part, i) => (
    <span key={i}>
      {part}
      {i < parts.length - 1 && <wbr />}
    </span>
  ));
}

function Detail({ term, children, breakable = false }: { term: string; children: React.ReactNode; breakable?: boolean }) {
  return (
    <div className="flex min-w-0 max-w-full flex-wrap gap-x-1">
      <dt className="whitespace-nowrap">{term}</dt>
      <dd className={breakable ? "min-w-0 wrap-anywhere" : "whitespace-nowrap"}>{children}</dd>
    </div>
  );
}

const badge = "shrink-0 rounded-full px-2 py-0.5 text-xs font-semibold";

export function DeviceRow({ session: s, now, onSignOut }: { session: SessionView; now: number | null; onSignOut: () => void }) {
  return (
    <li className="flex flex-col gap-3 p-4 @lg:flex-row @lg:items-center @lg:gap-4" data-session-id={s.id} data-current={s.isCurrent || undefined}>
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
          <p className="flex flex-wrap items-center gap-x-2 gap-y-1 font-medium">
            <span className="min-w-0 wrap-anywhere">{rowName(s)}</span>
            {s.impersonatedBy && (
              // An administrator viewing the app as this user: "Sign out" ends it at once.
              <span className={cx(badge, "bg-sky-100 text-sky-900 dark:bg-sky-900/50 dark:text-sky-100")} title={`${s.label}, support's browser`}>
                Support
              </span>
            )}
            {s.declaredClient && (
              // The app's own claim at sign-in: the server cannot verify it.
              <span className={cx(badge, "bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-200")} title="Name and platform as the app declared them when it signed in; not verified">
                declared
              </span>
            )}
            {s.isCurrent && <span className={cx(badge, "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/50 dark:text-emerald-200")}>This device</span>}
            {s.isNewDevice && (
              // First seen in the last 24 hours (its device cookie is new): worth a second look.
              <span
                className={cx(badge, "bg-amber-100 text-amber-900 dark:bg-amber-900/50 dark:text-amber-100")}
                title={s.deviceFirstSeenAt && now !== null ? `First seen ${formatRelative(s.deviceFirstSeenAt, now)}` : undefined}
              >
                New device
              </span>
            )}
          </p>
          <dl className="mt-1 flex flex-wrap gap-x-4 gap-y-0.5 text-sm text-zinc-600 dark:text-zinc-400">
            <Detail term="Location" breakable>
              <span className="text-zinc-800 dark:text-zinc-200">{s.location ?? "Unknown location"}</span>
            </Detail>
            <Detail term="IP address" breakable>
              <span className="font-mono text-zinc-800 dark:text-zinc-200">{s.ipAddress ? <Address ip={s.ipAddress} /> : "unknown"}</span>
            </Detail>
            <Detail term="Signed in">
              <When iso={s.createdAt} now={now} />
            </Detail>
            {s.signInMethod && (
              <Detail term="Signed in with" breakable>
                {s.signInWith ?? SIGN_IN_METHOD_WORDS[s.signInMethod]}
              </Detail>
            )}
            <Detail term="Last active">{s.isCurrent ? "now" : <When iso={s.lastActiveAt} now={now} />}</Detail>
          </dl>
        </div>
      </div>
      {!s.isCurrent && (
        // Under the text (indented past the icon) in a narrow list; beside it otherwise.
        <Button variant="secondary" onClick={onSignOut} aria-label={`Sign out ${rowName(s)}`} className="ml-15 shrink-0 self-start @lg:ml-0 @lg:self-center">
          Sign out
        </Button>
      )}
    </li>
  );
}

/** What the row is called: support's access by the admin's name, an app by its declared name, else the device. */
function rowName(s: { impersonatedBy: { name: string } | null; declaredClient: string | null; label: string }): string {
  if (s.impersonatedBy) return `Support (${s.impersonatedBy.name}) signed in as you`;
  return s.declaredClient ?? s.label;
}

export function DeviceListSkeleton() {
  return (
    <div aria-busy="true" className="overflow-hidden rounded-xl border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
      <span className="sr-only">Loading your devices…</span>
      {[0, 1].map((i) => (
        <div key={i} className="flex animate-pulse items-center gap-4 border-zinc-200 p-4 not-first:border-t dark:border-zinc-800" aria-hidden="true">
          <div className="size-11 shrink-0 rounded-full bg-zinc-200 dark:bg-zinc-800" />
          <div className="grid min-w-0 flex-1 gap-2">
            <div className="h-4 w-48 max-w-full rounded bg-zinc-200 dark:bg-zinc-800" />
            <div className="h-3 w-72 max-w-full rounded bg-zinc-100 dark:bg-zinc-800/60" />
          </div>
        </div>
      ))}
    </div>
  );
}
