// Recent activity in words: one sentence per event ("Signed in from Chrome on macOS"), and
// where it came from ("203.0.113.9 · Cape Town, South Africa"). Pure, so it is unit tested
// and the same on server and client.
import type { ActivityItem } from "@/lib/ui/security-api";

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function device(e: ActivityItem): string {
  return e.device ?? "a device";
}

/** "(from this device)", "(from Chrome 131 on macOS)", or nothing. */
function byWhom(e: ActivityItem): string {
  if (e.by === "this-device") return " (from this device)";
  if (e.by === "other-device") return e.byDevice ? ` (from ${e.byDevice})` : " (from another of your devices)";
  return "";
}

function sessionEnded(e: ActivityItem): string {
  const d = device(e);
  switch (e.reason) {
    case "sign-out":
      return `Signed out on ${d}`;
    case "revoke":
      return `Signed out ${d}${byWhom(e)}`;
    case "password-change":
      return `${d} was signed out because the password was changed${byWhom(e)}`;
    case "password-reset":
      return `${d} was signed out because the password was reset`;
    case "limit":
      return `${d} was signed out: too many devices were signed in`;
    case "idle":
      return `${d} was signed out after a period of inactivity`;
    case "expired":
      return `${d} was signed out: its session reached its maximum age`;
    case "operator":
      return `${d} was signed out by an administrator`;
    case "reported":
      return `Signed out ${d}: reported as “this wasn't me” from the email`;
    case "admin":
      return `${d} was signed out by support`;
    case "banned":
      return `${d} was signed out: the account was suspended`;
    default:
      return `${d} was signed out`;
  }
}

function sessionsEnded(e: ActivityItem): string {
  const n = plural(e.count, "device", "devices");
  switch (e.reason) {
    case "revoke-all":
      return `Signed out all other devices (${e.count})${byWhom(e)}`;
    case "operator":
      return `An administrator signed out all devices (${e.count})`;
    case "reported":
      return `Signed out everywhere from the email's link (${n})`;
    case "admin":
      return `Support signed out all devices (${e.count})`;
    case "banned":
      return `The account was suspended and all devices were signed out (${e.count})`;
    default:
      return `${n} signed out`;
  }
}

/** An administrator's action on the account (lib/admin/audit.ts). */
function adminAction(e: ActivityItem): string {
  switch (e.reason) {
    case "user.ban":
      return "Support suspended this account";
    case "user.unban":
      return "Support lifted the suspension of this account";
    case "password.reset-required":
      return "Support asked for a new password: a reset link was emailed";
    case "role.set":
      return "The account's role was changed by an operator";
    default:
      return "Support changed this account";
  }
}

/** "Support (Ada)": who held a support session, by name only. */
function support(e: ActivityItem): string {
  return e.supportName ? `Support (${e.supportName})` : "Support";
}

/** The event as one sentence. */
export function activitySentence(e: ActivityItem): string {
  switch (e.type) {
    case "sign-in":
      return `Signed in${e.signInWith ? ` with ${e.signInWith}` : ""} from ${device(e)}`;
    case "sign-in-failed":
      return `${plural(e.count, "failed sign-in attempt", "failed sign-in attempts")}${e.device ? `, the last from ${e.device}` : ""}${e.blocked ? "; further attempts were blocked for a while" : ""}`;
    case "session-ended":
      return sessionEnded(e);
    case "sessions-ended":
      return sessionsEnded(e);
    case "password-changed":
      return e.device ? `Password changed on ${e.device}` : "Password changed";
    case "password-reset":
      return "Password reset with an emailed link";
    case "email-verified":
      return "Email address verified";
    case "new-device-alert":
      return `Emailed you about a new sign-in from ${device(e)}`;
    case "sign-in-reported":
      return "A sign-in was reported as “this wasn't me” (it had already ended)";
    case "admin-action":
      return adminAction(e);
    case "two-factor-enabled":
      return `Two-factor authentication turned on${e.device ? ` from ${e.device}` : ""}`;
    case "two-factor-disabled":
      return `Two-factor authentication turned off${e.device ? ` from ${e.device}` : ""}`;
    case "backup-codes-regenerated":
      return `New backup codes created${e.device ? ` from ${e.device}` : ""}; the old ones no longer work`;
    case "impersonation-started":
      return `${support(e)} signed in as you`;
    case "impersonation-ended":
      return e.reason === "revoke" ? `${support(e)} signed in as you: ended by you` : `${support(e)} signed in as you: ended`;
    case "backup-code-used":
      return `A backup code was used to sign in from ${device(e)}`;
    case "passkey-added":
      return `Passkey “${e.passkeyName ?? "Passkey"}” added${e.device ? ` from ${e.device}` : ""}`;
    case "passkey-removed":
      return `Passkey “${e.passkeyName ?? "Passkey"}” removed${e.device ? ` from ${e.device}` : ""}`;
    default:
      return "Account activity";
  }
}

/** "203.0.113.9 · Cape Town, South Africa" (empty when neither is known). */
export function activityPlace(e: ActivityItem): string {
  return [e.ipAddress, e.location].filter(Boolean).join(" · ");
}

/** Events that call for attention (shown with a warning mark). */
export function isWarning(e: ActivityItem): boolean {
  return e.type === "sign-in-failed" || e.reason === "reported" || e.type === "sign-in-reported" || e.type === "admin-action";
}
