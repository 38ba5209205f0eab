// Roles and what each may do: better-auth's admin access control (statements per resource).
// A role is only ever set by the operator command (scripts/users.ts); no HTTP route sets one.
import { eq } from "drizzle-orm";
import { defaultRoles } from "better-auth/plugins/admin/access";
import { getDb } from "@/db";
import { user as userTable } from "@/db/schema";

export const ROLES = ["user", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** The permissions the console's actions need, in better-auth's statement vocabulary. */
export type Permission = { user?: ("list" | "get" | "ban" | "set-password" | "impersonate")[]; session?: ("list" | "revoke")[] };

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Whether a stored role may do this (an unknown or missing role may do nothing). */
export function roleCan(role: string | null | undefined, permission: Permission): boolean {
  if (!role || !Object.hasOwn(defaultRoles, role)) return false;
  return defaultRoles[role as keyof typeof defaultRoles].authorize(permission).success;
}

/** Sets the role of the account with this email; null when there is none. */
export async function setRoleByEmail(email: string, role: Role): Promise<{ id: string; email: string; previous: string | null } | null> {
  const db = getDb();
  const [before] = await db.select({ id: userTable.id, email: userTable.email, role: userTable.role }).from(userTable).where(eq(userTable.email, email.trim().toLowerCase()));
  if (!before) return null;
  await db.update(userTable).set({ role, updatedAt: new Date() }).where(eq(userTable.id, before.id));
  return { id: before.id, email: before.email, previous: before.role };
}
