// The sign-out confirmation's states: what each server answer does to the dialog.
import { describe, expect, it } from "vitest";
import { confirmReducer, failureOutcome, type ConfirmState } from "@/components/active-devices/confirm-machine";
import { API_ERROR, type ApiErrorCode } from "@/lib/http/error-codes";
import type { ApiFailure } from "@/lib/ui/sessions-api";

const fail = (status: number, code: ApiErrorCode | null): ApiFailure => ({ ok: false, status, code });
const opened: ConfirmState = confirmReducer(null, { type: "open", target: { kind: "all", count: 2 } });

describe("confirmReducer", () => {
  it("opens on the confirm step and goes pending on submit", () => {
    expect(opened).toEqual({ target: { kind: "all", count: 2 }, step: "confirm", pending: false, error: null, passwordError: null });
    expect(confirmReducer(opened, { type: "submit" })).toMatchObject({ pending: true });
  });

  it("moves to the password step when the server asks for re-authentication", () => {
    const pending = confirmReducer(opened, { type: "submit" });
    expect(confirmReducer(pending, { type: "failed", failure: fail(403, API_ERROR.reauthenticationRequired) })).toMatchObject({
      step: "password",
      pending: false,
      error: null,
      passwordError: null,
    });
  });

  it("marks the password field on a wrong password, and an empty one before sending", () => {
    const pending = confirmReducer(opened, { type: "submit" });
    expect(confirmReducer(pending, { type: "failed", failure: fail(403, API_ERROR.invalidPassword) })).toMatchObject({
      step: "password",
      passwordError: "That password is not correct.",
    });
    expect(confirmReducer(opened, { type: "password-missing" })).toMatchObject({ passwordError: "Enter your password." });
  });

  it("keeps the dialog open with a sentence when the service is down or unreachable", () => {
    const pending = confirmReducer(opened, { type: "submit" });
    expect(confirmReducer(pending, { type: "failed", failure: fail(503, API_ERROR.unavailable) })).toMatchObject({
      step: "confirm",
      pending: false,
      error: "We couldn't reach the session service, so nothing was changed. Try again in a moment.",
    });
    expect(confirmReducer(pending, { type: "failed", failure: fail(0, null) })).toMatchObject({
      error: "We couldn't reach the server. Check your connection and try again.",
    });
  });

  it("closes on close, and ignores events while closed", () => {
    expect(confirmReducer(opened, { type: "close" })).toBeNull();
    expect(confirmReducer(null, { type: "submit" })).toBeNull();
  });
});

describe("failureOutcome", () => {
  it("sends a 401 to sign-in, treats a missing session as already signed out, keeps the rest in the dialog", () => {
    expect(failureOutcome(fail(401, API_ERROR.unauthenticated))).toBe("signed-out");
    expect(failureOutcome(fail(404, API_ERROR.sessionNotFound))).toBe("already-gone");
    expect(failureOutcome(fail(503, API_ERROR.unavailable))).toBe("in-dialog");
    expect(failureOutcome(fail(403, API_ERROR.invalidPassword))).toBe("in-dialog");
  });
});
