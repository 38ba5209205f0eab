// POST /api/verify-email's work: better-auth verifies the address (its own endpoint, its
// hooks, the app's link records); the browser is signed in only if it holds no live
// session. See verification-confirm.ts for why the link's GET does none of this.
import { APIError } from "better-auth/api";
import { sessionOfRequest } from "@/lib/sessions/request";
import { getAuth } from "./index";
import { inspectVerificationLink, runConfirmed, type LinkProblem } from "./verification-confirm";

export type ConfirmResult =
  | { ok: true; email: string; signedIn: boolean; setCookies: string[] }
  | { ok: false; problem: LinkProblem };

export async function confirmEmailVerification(token: string, headers: Headers): Promise<ConfirmResult> {
  const link = await inspectVerificationLink(token);
  if (!link.ok) return link;
  // Any live session (another account's, or an old one of this browser's) is left as it is:
  // a link must never switch the account a browser is signed in to.
  const hasSession = (await sessionOfRequest(headers)).ok;
  const signIn = !hasSession && !link.verified;
  let verifiedCookies: string[];
  try {
    const verified = await runConfirmed({ signInUserId: null }, () =>
      getAuth().api.verifyEmail({ query: { token }, headers, returnHeaders: true }),
    );
    verifiedCookies = verified.headers?.getSetCookie() ?? [];
  } catch (err) {
    // The link went void between the look and the click (another tab used it): better-auth's
    // 4xx is that link's problem; anything else (an outage) is the caller's.
    if (err instanceof APIError && err.statusCode < 500) return { ok: false, problem: "INVALID_TOKEN" };
    throw err;
  }
  if (!signIn) return { ok: true, email: link.email, signedIn: false, setCookies: verifiedCookies };
  const signedIn = await runConfirmed({ signInUserId: link.userId }, () =>
    getAuth().api.signInAfterVerification({ body: { userId: link.userId }, headers, returnHeaders: true }),
  );
  return { ok: true, email: link.email, signedIn: true, setCookies: [...verifiedCookies, ...(signedIn.headers?.getSetCookie() ?? [])] };
}
