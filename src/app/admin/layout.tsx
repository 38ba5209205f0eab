// The operator's console: signed in (the proxy's gate), and an admin by role (checked here
// on the server for the pages, and again by every /api/admin route for each action). A
// non-admin sees the same 404 as for a page that does not exist.
import { notFound } from "next/navigation";
import { LiveSession } from "@/components/live-session";
import { isAdminUser } from "@/lib/admin/guard";
import { requireUser } from "@/lib/sessions/current-user";

export const dynamic = "force-dynamic";

export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const { user } = await requireUser("/admin");
  if (!(await isAdminUser(user.id))) notFound();
  return <LiveSession>{children}</LiveSession>;
}
