// Every console action starts here: the request's live session (the proxy's verdict or the
// full check), then the user's role from Postgres (never from the session or the client),
// then better-auth's access control for the permission the action needs.
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { user as userTable } from "@/db/schema";
import { clientAddress } from "@/lib/client-address";
import { API_ERROR } from "@/lib/http/error-codes";
import { ApiError } from "@/lib/http/errors";
import { requireSession } from "@/lib/sessions/request";
import type { AdminActor } from "./audit";
import { roleCan, type Permission } from "./roles";

/** The admin behind a request, or 401 (no live session) / 403 (not allowed). */
export async function requireAdmin(request: Request, permission: Permission): Promise<AdminActor> {
  const session = await requireSession(request);
  const [u] = await getDb()
    .select({ id: userTable.id, email: userTable.email, name: userTable.name, role: userTable.role, banned: userTable.banned })
    .from(userTable)
    .where(eq(userTable.id, session.userId));
  if (!u || u.banned || !roleCan(u.role, permission)) {
    throw new ApiError(403, API_ERROR.forbidden, "Your account is not allowed to do that.");
  }
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    sessionId: session.sessionId,
    ipAddress: clientAddress(request.headers),
    userAgent: request.headers.get("user-agent"),
  };
}

/** For server components: whether this user may open the console at all. */
export async function isAdminUser(userId: string): Promise<boolean> {
  const [u] = await getDb().select({ role: userTable.role, banned: userTable.banned }).from(userTable).where(eq(userTable.id, userId));
  return !!u && !u.banned && roleCan(u.role, { user: ["list"] });
}
