// Browser side of live sign-out, the parts without React: names shared by the tabs of one
// browser, where a signed-out tab goes, and the reconnect backoff.
import type { SessionEndReason } from "@/lib/metrics";

/** BroadcastChannel between the tabs of one browser. */
export const TABS_CHANNEL = "revocable-session";
/** DOM event the live stream fires when the user's list of sessions changed. */
export const SESSIONS_CHANGED_EVENT = "revocable:sessions-changed";
/** While the stream cannot be held, the session is re-checked this often (and on focus). */
export const RECHECK_MS = 45_000;

export type TabMessage = { type: "signed-out"; reason: string };

/** The sign-in page knows "idle" and "signed-out"; every other end reads as signed out. */
export function signInReasonOf(reason: SessionEndReason | string): "idle" | "signed-out" {
  return reason === "idle" ? "idle" : "signed-out";
}

export function signedOutLocation(reason: string, nextPath: string): string {
  // Signed out on purpose (in this tab or another of this browser): no warning to show.
  if (reason === "sign-out") return "/sign-in";
  return `/sign-in?next=${encodeURIComponent(nextPath)}&reason=${signInReasonOf(reason)}`;
}

/** 1 s, 2 s, 4 s ... capped at 30 s, with jitter so tabs do not reconnect in step. */
export function backoffMs(attempt: number, random = Math.random): number {
  const base = Math.min(30_000, 1_000 * 2 ** Math.min(attempt, 5));
  return Math.round(base * (0.75 + random() * 0.5));
}

let reissuing: Promise<unknown> | null = null;
/**
 * This tab asked for a new session (a password change re-issues it). The server ends the old
 * one and announces that with `reissued`; the new cookie arrives with this request's answer.
 * A slow answer (a busy server) must not read as being signed out, so the tab's live listener
 * waits for it (reissueAnswered) before it re-checks.
 */
export function whileReissuing<T>(request: Promise<T>): Promise<T> {
  reissuing = request;
  const clear = () => {
    if (reissuing === request) reissuing = null;
  };
  request.then(clear, clear);
  return request;
}
/** Resolves once this tab's own re-issuing request (if any) has its answer, whatever it was. */
export function reissueAnswered(): Promise<void> {
  const pending = reissuing;
  return pending ? pending.then(() => undefined, () => undefined) : Promise.resolve();
}

/**
 * A 401 is this browser's verdict only if the request carried its current cookie. One sent
 * with the cookie a re-issue is replacing (a list reload the new session's own
 * `sessions.changed` started) is answered 401 before the new cookie arrives; so a 401 is
 * confirmed by asking again once this tab's own re-issuing request (if any) has answered.
 */
export async function confirmedUnauthorized<T extends { ok: boolean; status?: number }>(first: T, askAgain: () => Promise<T>): Promise<T> {
  if (first.ok || first.status !== 401) return first;
  await reissueAnswered();
  return askAgain();
}

let leavingOnPurpose = false;
/**
 * This tab is signing out by its own button and navigates by itself. Its stream then
 * reports the same end; a second navigation started from there would abort the first
 * (the browser cancels one for the other), so the live listener stands down.
 */
export function markLeavingOnPurpose(): void {
  leavingOnPurpose = true;
}
export function isLeavingOnPurpose(): boolean {
  return leavingOnPurpose;
}

/** Tells this browser's other tabs that its session ended. */
export function announceSignedOut(reason: string): void {
  if (typeof BroadcastChannel === "undefined") return;
  const channel = new BroadcastChannel(TABS_CHANNEL);
  channel.postMessage({ type: "signed-out", reason } satisfies TabMessage);
  channel.close();
}
