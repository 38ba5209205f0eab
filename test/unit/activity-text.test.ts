// Recent activity's sentences, one per kind of event and reason.
import { describe, expect, it } from "vitest";
import { activityPlace, activitySentence } from "@/lib/ui/activity-text";
import type { ActivityItem } from "@/lib/ui/security-api";

const base: ActivityItem = {
  id: "e1",
  type: "sign-in",
  at: "2026-01-01T00:00:00.000Z",
  device: "Chrome 131 on macOS",
  ipAddress: "203.0.113.9",
  location: "Cape Town, South Africa",
  reason: null,
  count: 1,
  blocked: false,
  thisDevice: false,
  by: null,
  byDevice: null,
  signInWith: null,
  passkeyName: null,
  supportName: null,
};
const e = (over: Partial<ActivityItem>): ActivityItem => ({ ...base, ...over });

describe("activitySentence", () => {
  it("names support sessions by the administrator's name, at start and end", () => {
    expect(activitySentence(e({ type: "impersonation-started", supportName: "Ada" }))).toBe("Support (Ada) signed in as you");
    expect(activitySentence(e({ type: "impersonation-ended", supportName: "Ada", reason: "sign-out" }))).toBe("Support (Ada) signed in as you: ended");
    expect(activitySentence(e({ type: "impersonation-ended", supportName: "Ada", reason: "revoke" }))).toBe("Support (Ada) signed in as you: ended by you");
    expect(activitySentence(e({ type: "impersonation-started" }))).toBe("Support signed in as you");
  });

  it("says what happened, in words", () => {
    expect(activitySentence(base)).toBe("Signed in from Chrome 131 on macOS");
    expect(activitySentence(e({ signInWith: "GitHub" }))).toBe("Signed in with GitHub from Chrome 131 on macOS");
    expect(activitySentence(e({ signInWith: "password and authenticator app" }))).toBe("Signed in with password and authenticator app from Chrome 131 on macOS");
    expect(activitySentence(e({ type: "backup-code-used" }))).toBe("A backup code was used to sign in from Chrome 131 on macOS");
    expect(activitySentence(e({ type: "two-factor-enabled" }))).toBe("Two-factor authentication turned on from Chrome 131 on macOS");
    expect(activitySentence(e({ type: "two-factor-disabled", device: null }))).toBe("Two-factor authentication turned off");
    expect(activitySentence(e({ signInWith: "passkey" }))).toBe("Signed in with passkey from Chrome 131 on macOS");
    expect(activitySentence(e({ type: "passkey-added", passkeyName: "Work laptop" }))).toBe("Passkey “Work laptop” added from Chrome 131 on macOS");
    expect(activitySentence(e({ type: "passkey-removed", passkeyName: "Work laptop", device: null }))).toBe("Passkey “Work laptop” removed");
    expect(activityPlace(base)).toBe("203.0.113.9 · Cape Town, South Africa");
    expect(activityPlace(e({ location: null }))).toBe("203.0.113.9");
    expect(activitySentence(e({ type: "sign-in-failed", count: 3, device: "Firefox 133 on Windows" }))).toBe(
      "3 failed sign-in attempts, the last from Firefox 133 on Windows",
    );
    expect(activitySentence(e({ type: "sign-in-failed", count: 1, device: null }))).toBe("1 failed sign-in attempt");
    expect(activitySentence(e({ type: "sign-in-failed", count: 12, device: null, blocked: true }))).toBe(
      "12 failed sign-in attempts; further attempts were blocked for a while",
    );
    expect(activitySentence(e({ type: "session-ended", reason: "revoke", device: "Firefox 133 on Windows", by: "this-device" }))).toBe(
      "Signed out Firefox 133 on Windows (from this device)",
    );
    expect(activitySentence(e({ type: "session-ended", reason: "revoke", by: "other-device", byDevice: "Safari on iPhone" }))).toBe(
      "Signed out Chrome 131 on macOS (from Safari on iPhone)",
    );
    expect(activitySentence(e({ type: "session-ended", reason: "sign-out", by: "self" }))).toBe("Signed out on Chrome 131 on macOS");
    expect(activitySentence(e({ type: "session-ended", reason: "idle" }))).toBe("Chrome 131 on macOS was signed out after a period of inactivity");
    expect(activitySentence(e({ type: "session-ended", reason: "limit" }))).toMatch(/too many devices/);
    expect(activitySentence(e({ type: "session-ended", reason: "password-reset" }))).toMatch(/password was reset/);
    expect(activitySentence(e({ type: "session-ended", reason: "operator" }))).toMatch(/administrator/);
    expect(activitySentence(e({ type: "session-ended", reason: "reported" }))).toMatch(/this wasn't me/);
    expect(activitySentence(e({ type: "sessions-ended", reason: "revoke-all", count: 2, by: "this-device" }))).toBe(
      "Signed out all other devices (2) (from this device)",
    );
    expect(activitySentence(e({ type: "sessions-ended", reason: "reported", count: 1 }))).toBe("Signed out everywhere from the email's link (1 device)");
    expect(activitySentence(e({ type: "password-changed" }))).toBe("Password changed on Chrome 131 on macOS");
    expect(activitySentence(e({ type: "password-reset" }))).toBe("Password reset with an emailed link");
    expect(activitySentence(e({ type: "email-verified" }))).toBe("Email address verified");
    expect(activitySentence(e({ type: "new-device-alert" }))).toBe("Emailed you about a new sign-in from Chrome 131 on macOS");
  });

  it("says what support did to the account (admin console)", () => {
    expect(activitySentence(e({ type: "admin-action", reason: "user.ban" }))).toBe("Support suspended this account");
    expect(activitySentence(e({ type: "admin-action", reason: "user.unban" }))).toBe("Support lifted the suspension of this account");
    expect(activitySentence(e({ type: "admin-action", reason: "password.reset-required" }))).toMatch(/reset link was emailed/);
    expect(activitySentence(e({ type: "session-ended", reason: "admin" }))).toBe("Chrome 131 on macOS was signed out by support");
    expect(activitySentence(e({ type: "session-ended", reason: "banned" }))).toMatch(/suspended/);
    expect(activitySentence(e({ type: "sessions-ended", reason: "banned", count: 2 }))).toBe("The account was suspended and all devices were signed out (2)");
    expect(activitySentence(e({ type: "sessions-ended", reason: "admin", count: 3 }))).toBe("Support signed out all devices (3)");
  });
});
