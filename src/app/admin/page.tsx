// /admin: find a user by email or name; the latest audit entries and their export.
import Link from "next/link";
import { Card } from "@/components/ui/card";
import { buttonClasses } from "@/components/ui/button";
import { listAudit } from "@/lib/admin/audit";
import { searchUsers } from "@/lib/admin/users";
import { AuditTable } from "@/components/admin/audit-table";

export const metadata = { title: "Admin" };
export const dynamic = "force-dynamic";

export default async function AdminPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  const q = typeof sp.q === "string" ? sp.q.slice(0, 200) : "";
  const pageParam = typeof sp.page === "string" && /^[1-9][0-9]{0,3}$/.test(sp.page) ? sp.page : "1";
  const [{ users, page, hasMore }, audit] = await Promise.all([searchUsers(new URLSearchParams({ q, page: pageParam })), listAudit({ limit: 10 })]);
  const pageLink = (n: number) => `/admin?${new URLSearchParams({ q, page: String(n) })}`;
  return (
    <div className="grid gap-8">
      <h1 className="text-2xl font-semibold tracking-tight sm:text-3xl">Admin console</h1>
      <Card className="grid gap-4 p-6">
        <form method="get" action="/admin" role="search" className="flex flex-wrap items-end gap-3">
          <label className="grid flex-1 gap-1.5 text-sm font-medium">
            Email or name
            <input name="q" defaultValue={q} type="search" className="min-h-10 rounded-lg border border-zinc-300 px-3 py-2 dark:border-zinc-700 dark:bg-zinc-900" />
          </label>
          <button type="submit" className={buttonClasses("primary")}>
            Search
          </button>
        </form>
        <ul aria-label="Users" className="divide-y divide-zinc-200 dark:divide-zinc-800">
          {users.map((u) => (
            <li key={u.id} className="flex flex-wrap items-center justify-between gap-2 py-3" data-user-id={u.id}>
              <Link href={`/admin/users/${u.id}`} prefetch={false} className="min-w-0 wrap-anywhere font-medium">
                {u.email}
              </Link>
              <span className="text-sm text-zinc-600 dark:text-zinc-400">
                {u.name} · {u.role}
                {u.banned ? " · suspended" : ""}
              </span>
            </li>
          ))}
          {users.length === 0 && <li className="py-3 text-sm text-zinc-600">No users match.</li>}
        </ul>
        <nav aria-label="Pages" className="flex gap-3 text-sm">
          {page > 1 && <Link href={pageLink(page - 1)} prefetch={false}>Previous</Link>}
          {hasMore && <Link href={pageLink(page + 1)} prefetch={false}>Next</Link>}
        </nav>
      </Card>
      <Card className="grid gap-4 p-6">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <h2 className="text-lg font-semibold">Audit log</h2>
          <div className="flex gap-2">
            <a className={buttonClasses("secondary")} href="/api/admin/audit?format=csv" download>
              Export CSV
            </a>
            <a className={buttonClasses("secondary")} href="/api/admin/audit?format=json" download>
              Export JSON
            </a>
          </div>
        </div>
        <AuditTable entries={audit} />
      </Card>
    </div>
  );
}
