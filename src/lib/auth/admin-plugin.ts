// better-auth's admin plugin, for two things only: its schema (role, ban fields) and its
// session-create hook, which refuses a banned user on every way in (every session better-auth
// creates passes that hook: password sign-in, verification sign-in, any future method).
// Its HTTP endpoints are all disabled (front-door.ts): each takes client options the app's
// rules do not allow (a password set without a reset, sessions revoked around the index,
// impersonation without a fresh sign-in), so the console uses its own routes (lib/admin).
import { admin } from "better-auth/plugins/admin";

/** Every endpoint the admin plugin registers; all answer 404 over HTTP. */
export const ADMIN_PLUGIN_PATHS = [
  "/admin/set-role",
  "/admin/get-user",
  "/admin/create-user",
  "/admin/update-user",
  "/admin/list-users",
  "/admin/list-user-sessions",
  "/admin/unban-user",
  "/admin/ban-user",
  "/admin/impersonate-user",
  "/admin/stop-impersonating",
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
    bannedUserMessage: (user) => bannedMessage(user as { banReason?: string | null; banExpires?: Date | null }),
  });
