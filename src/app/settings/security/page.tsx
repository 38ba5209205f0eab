import { requireUser } from "@/lib/sessions/current-user";
import { listSessions } from "@/lib/sessions/service";
import { SignOutButton } from "@/components/sign-out-button";

export const metadata = { title: "Security" };
export const dynamic = "force-dynamic";

export default async function SecurityPage() {
  const { session, user } = await requireUser("/settings/security");
  const sessions = await listSessions(session);
  return (
    <>
      <h1>Security</h1>
      <p>
        Signed in as <strong>{user.name}</strong> ({user.email})
      </p>
      <h2>Active devices</h2>
      <ul>
        {sessions.map((s) => (
          <li key={s.id}>
            {s.label} · {s.ipAddress ?? "unknown IP"} · signed in {new Date(s.createdAt).toLocaleString("en-US")}
            {s.isCurrent && <strong> · This device</strong>}
          </li>
        ))}
      </ul>
      <SignOutButton />
    </>
  );
}
