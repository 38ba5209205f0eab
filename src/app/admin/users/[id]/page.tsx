// /admin/users/:id: one user's devices (as their own panel lists them), Recent activity,
// sign-in methods, 2FA, the ban, and what support did to the account; the actions.
import Link from "next/link";
import { notFound } from "next/navigation";
import { AdminUserActions, EndSessionButton, ImpersonateButton } from "@/components/admin/user-actions";
import { AuditTable } from "@/components/admin/audit-table";
import { Card } from "@/components/ui/card";
import { userDetail, type UserDetail } from "@/lib/admin/users";
import { ApiError } from "@/lib/http/errors";
import { SIGN_IN_METHOD_WORDS } from "@/lib/sign-in-context";
import { activityPlace, activitySentence } from "@/lib/ui/activity-text";

export const metadata = { title: "User · Admin" };
export const dynamic = "force-dynamic";

const utc = (iso: string) => `${iso.replace("T", " ").slice(0, 16)} UTC`;

export default async function AdminUserPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  let d: UserDetail;
  try {
    d = await userDetail(id);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) notFound();
    throw err;
  }
  const u = d.user;
  return (
    <div className="grid gap-8">
      <div>
        <Link href="/admin" prefetch={false} className="text-sm">
          ← All users
        </Link>
        <h1 className="mt-2 text-2xl font-semibold tracking-tight wrap-anywhere sm:text-3xl">{u.email}</h1>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          {u.name} · role {u.role} · {u.emailVerified ? "verified" : "not verified"} · since {utc(u.createdAt)}
        </p>
        <dl className="mt-3 grid gap-1 text-sm">
          <div className="flex gap-2">
            <dt className="font-medium">Sign-in methods</dt>
            <dd>{d.signInMethods.join(", ") || "none"}</dd>
          </div>
          <div className="flex gap-2">
            <dt className="font-medium">Two-factor</dt>
            <dd>{d.twoFactorEnabled === null ? "not available here" : d.twoFactorEnabled ? "on" : "off"}</dd>
          </div>
          <div className="flex gap-2">
            <dt className="font-medium">Status</dt>
            <dd data-testid="ban-status">
              {u.banned ? `Suspended${u.banExpires ? ` until ${utc(u.banExpires)}` : ""}${u.banReason ? `: ${u.banReason}` : ""}` : "Active"}
            </dd>
          </div>
        </dl>
      </div>
      <AdminUserActions userId={u.id} banned={u.banned} />
      {u.role !== "admin" && !u.banned && <ImpersonateButton userId={u.id} />}
      <Card className="grid gap-3 p-6">
        <h2 className="text-lg font-semibold">Active devices ({d.sessions.length})</h2>
        <ul aria-label="Active devices" className="divide-y divide-zinc-200 dark:divide-zinc-800">
          {d.sessions.map((s) => (
            <li key={s.id} data-session-id={s.id} className="flex flex-wrap items-center justify-between gap-3 py-3">
              <div className="min-w-0 text-sm">
                <div className="font-medium">{s.label}</div>
                <div className="text-zinc-600 wrap-anywhere dark:text-zinc-400">
                  {[s.ipAddress, s.location].filter(Boolean).join(" · ") || "address unknown"} · signed in {utc(s.createdAt)}
                  {s.signInMethod ? ` with ${SIGN_IN_METHOD_WORDS[s.signInMethod] ?? s.signInMethod}` : ""} · last active {utc(s.lastActiveAt)}
                  {s.isNewDevice ? " · new device" : ""}
                </div>
              </div>
              <EndSessionButton userId={u.id} sessionId={s.id} label={s.label} />
            </li>
          ))}
          {d.sessions.length === 0 && <li className="py-3 text-sm text-zinc-600">No device is signed in.</li>}
        </ul>
      </Card>
      <Card className="grid gap-3 p-6">
        <h2 className="text-lg font-semibold">Recent activity</h2>
        <ul aria-label="Recent activity" className="divide-y divide-zinc-200 text-sm dark:divide-zinc-800">
          {d.activity.map((e) => (
            <li key={e.id} className="grid gap-0.5 py-2">
              <span>{activitySentence(e)}</span>
              <span className="text-zinc-600 dark:text-zinc-400">
                {utc(e.at)}
                {activityPlace(e) ? ` · ${activityPlace(e)}` : ""}
              </span>
            </li>
          ))}
        </ul>
      </Card>
      <Card className="grid gap-3 p-6">
        <h2 className="text-lg font-semibold">Actions on this account</h2>
        <AuditTable entries={d.audit} />
      </Card>
    </div>
  );
}
