// The audit entries as a list: when, who, what, to whom, from where.
import type { AuditEntry } from "@/lib/admin/audit";

export function AuditTable({ entries }: { entries: AuditEntry[] }) {
  if (entries.length === 0) return <p className="text-sm text-zinc-600 dark:text-zinc-400">Nothing recorded yet.</p>;
  return (
    <ul aria-label="Audit entries" className="divide-y divide-zinc-200 text-sm dark:divide-zinc-800">
      {entries.map((e) => (
        <li key={e.id} className="grid gap-0.5 py-2" data-action={e.action}>
          <span className="wrap-anywhere">
            <strong>{e.action}</strong> by {e.actorEmail}
            {e.targetEmail ? ` on ${e.targetEmail}` : ""}
          </span>
          <span className="text-zinc-600 dark:text-zinc-400">
            <time dateTime={e.at.toISOString()}>{e.at.toISOString().replace("T", " ").slice(0, 19)} UTC</time>
            {e.ipAddress ? ` · ${e.ipAddress}` : ""}
          </span>
        </li>
      ))}
    </ul>
  );
}
