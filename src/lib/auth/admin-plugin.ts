// better-auth's admin plugin, for three things: its schema (role, ban fields), its
// session-create hook, which refuses a banned user on every way in (every session better-auth
// creates passes that hook: password sign-in, verification sign-in, any future method), and
// impersonation (`/admin/impersonate-user`, `/admin/stop-impersonating`), under the app's
// rules in impersonation.ts. Its other HTTP endpoints are disabled (front-door.ts): each takes
// client options the app's rules do not allow (a password set without a reset, sessions
// revoked around the index), so the console uses its own routes (lib/admin).
import { admin } from "better-auth/plugins/admin";
import { IMPERSONATION_SECONDS } from "@/lib/sessions/impersonation";

/** The admin plugin's endpoints that answer 404 over HTTP (all but impersonation's two). */
export const ADMIN_PLUGIN_PATHS = [
  "/admin/set-role",
  "/admin/get-user",
  "/admin/create-user",
  "/admin/update-user",
  "/admin/list-users",
  "/admin/list-user-sessions",
  "/admin/unban-user",
  "/admin/ban-user",
  "/admin/revoke-user-session",
  "/admin/revoke-user-sessions",
  "/admin/remove-user",
  "/admin/set-user-password",
  "/admin/has-permission",
];

/** What a banned person reads when a sign-in is refused: the reason and the end, if any. */
export function bannedMessage(user: { banReason?: string | null; banExpires?: Date | string | null }): string {
  const until = user.banExpires ? ` until ${new Date(user.banExpires).toUTCString()}` : "";
  const reason = user.banReason ? ` Reason: ${user.banReason}.` : "";
  return `This account has been suspended${until}.${reason} Contact support if you think this is a mistake.`;
}

export const adminPlugin = () =>
  admin({
    defaultRole: "user",
    adminRoles: ["admin"],
    // A support session's absolute lifetime (its row's expiresAt: the index refuses it after).
    impersonationSessionDuration: IMPERSONATION_SECONDS,
    bannedUserMessage: (user) => bannedMessage(user as { banReason?: string | null; banExpires?: Date | null }),
  });
