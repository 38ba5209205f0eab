// Why better-auth deleted a session, from the endpoint that did it (for the
// sessions-ended metric). Paths better-auth 1.7 deletes sessions on.
import type { SessionEndReason } from "@/lib/metrics";

const BY_PATH: Record<string, SessionEndReason> = {
  "/sign-out": "sign-out",
  // Support access ends: the admin's own "Stop impersonating" (lib/auth/impersonation.ts).
  "/admin/stop-impersonating": "sign-out",
  "/revoke-session": "revoke",
  "/revoke-sessions": "revoke-all",
  "/revoke-other-sessions": "revoke-all",
  "/change-password": "password-change",
  "/reset-password": "password-reset",
  "/delete-user": "user-deleted",
  "/delete-user/callback": "user-deleted",
  // getSession drops a session it finds expired.
  "/get-session": "expired",
};

export function endReasonOf(path: string | undefined): SessionEndReason {
  return (path && BY_PATH[path]) || "other";
}
