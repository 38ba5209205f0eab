// The sign-out confirmation as a state machine: closed -> confirm -> (password) -> closed.
// Pure: the panel dispatches events and performs the effects (request, notice, redirect).
import { API_ERROR } from "@/lib/http/error-codes";
import { failureMessage } from "@/lib/ui/failure-message";
import type { ApiFailure, SessionView } from "@/lib/ui/sessions-api";

export type SignOutTarget = { kind: "one"; session: SessionView } | { kind: "all"; count: number };

export interface OpenConfirm {
  target: SignOutTarget;
  /** "password": the server asked for re-authentication (the sign-in is not recent). */
  step: "confirm" | "password";
  pending: boolean;
  /** Shown above the buttons: the request failed and nothing was changed. */
  error: string | null;
  passwordError: string | null;
}

export type ConfirmState = OpenConfirm | null;

export type ConfirmEvent =
  | { type: "open"; target: SignOutTarget }
  | { type: "close" }
  | { type: "submit" }
  | { type: "password-missing" }
  | { type: "failed"; failure: ApiFailure };

export function confirmReducer(state: ConfirmState, event: ConfirmEvent): ConfirmState {
  if (event.type === "open") return { target: event.target, step: "confirm", pending: false, error: null, passwordError: null };
  if (!state) return null;
  switch (event.type) {
    case "close":
      return null;
    case "submit":
      return { ...state, pending: true, error: null, passwordError: null };
    case "password-missing":
      return { ...state, passwordError: "Enter your password." };
    case "failed": {
      const { failure } = event;
      if (failure.code === API_ERROR.reauthenticationRequired) return { ...state, step: "password", pending: false };
      if (failure.code === API_ERROR.invalidPassword) {
        return { ...state, step: "password", pending: false, passwordError: failureMessage(failure) };
      }
      return { ...state, pending: false, error: failureMessage(failure) };
    }
  }
}

/** What a failed sign-out means for the panel, beyond the dialog. */
export function failureOutcome(failure: ApiFailure): "signed-out" | "already-gone" | "in-dialog" {
  if (failure.code === API_ERROR.unauthenticated || failure.status === 401) return "signed-out";
  if (failure.code === API_ERROR.sessionNotFound) return "already-gone";
  return "in-dialog";
}
