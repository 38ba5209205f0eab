// The browser side of /api/security/activity, /api/report-sign-in and /api/verify-email: typed results
// instead of thrown errors (the same shape as sessions-api.ts).
// (Type-only imports from server modules: nothing of them reaches the bundle.)
import type { ActivityItem, ActivityPage } from "@/lib/security/activity";
import { failureOf, NETWORK, type ApiResult } from "./sessions-api";

export type { ActivityItem, ActivityPage };

export async function fetchActivity(cursor: string | null, signal?: AbortSignal): Promise<ApiResult<ActivityPage>> {
  try {
    const url = cursor ? `/api/security/activity?cursor=${encodeURIComponent(cursor)}` : "/api/security/activity";
    const res = await fetch(url, { cache: "no-store", headers: { accept: "application/json" }, signal });
    if (!res.ok) return failureOf(res);
    const body = (await res.json()) as ActivityPage;
    return { ok: true, ...body };
  } catch (err) {
    if ((err as Error).name === "AbortError") throw err;
    return NETWORK;
  }
}

/** POSTs an emailed link's token to the route that acts on it (the pages only show). */
async function postToken<T>(path: string, token: string): Promise<ApiResult<T>> {
  try {
    const res = await fetch(path, {
      method: "POST",
      cache: "no-store",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ token }),
    });
    if (!res.ok) return failureOf(res);
    return { ok: true, ...((await res.json()) as T) };
  } catch {
    return NETWORK;
  }
}

export type ReportAnswer = { ended: number; signOutEverywhereToken?: string };

/** "This wasn't me" (the emailed link's token) or "Sign out everywhere" (the token it answered with). */
export function sendReport(token: string): Promise<ApiResult<ReportAnswer>> {
  return postToken<ReportAnswer>("/api/report-sign-in", token);
}

export type VerifyAnswer = { verified: true; email: string; signedIn: boolean };

/** The confirm button of /verify-email?token=: verifies the address (the link's GET does not). */
export function confirmVerification(token: string): Promise<ApiResult<VerifyAnswer>> {
  return postToken<VerifyAnswer>("/api/verify-email", token);
}
