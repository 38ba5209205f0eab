// The signed-in user for server components (pages): the proxy's verdict for this request
// (or, without one, the same check as the API), then the user row.
import { eq } from "drizzle-orm";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { dbReady, getDb } from "@/db";
import { user as userTable } from "@/db/schema";
import { notePostgresDown } from "@/lib/health/postgres";
import type { ValidityEntry } from "@/lib/session-index";
import { sessionOfRequest } from "./request";

export async function requireUser(nextPath: string): Promise<{ session: ValidityEntry; user: typeof userTable.$inferSelect }> {
  await dbReady();
  const check = await sessionOfRequest(await headers());
  if (!check.ok) {
    const reason = check.reason === "missing" ? "" : `&reason=${check.reason === "idle" ? "idle" : "signed-out"}`;
    redirect(`/sign-in?next=${encodeURIComponent(nextPath)}${reason}`);
  }
  const [user] = await getDb()
    .select()
    .from(userTable)
    .where(eq(userTable.id, check.session.userId))
    .catch((err: unknown) => {
      // From now on the proxy answers this page with its 503 page until Postgres is back.
      notePostgresDown();
      throw err;
    });
  if (!user) redirect(`/sign-in?next=${encodeURIComponent(nextPath)}`);
  return { session: check.session, user };
}
