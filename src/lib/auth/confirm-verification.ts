// POST /api/verify-email's work: better-auth verifies the address (its own endpoint, its
// hooks, the app's link records); the browser is signed in only if it holds no live
// session. See verification-confirm.ts for why the link's GET does none of this.
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
  const setCookies = await runConfirmed({ signInUserId: signIn ? link.userId : null }, async () => {
    const auth = getAuth();
    const verified = await auth.api.verifyEmail({ query: { token }, headers, returnHeaders: true });
    if (!signIn) return verified.headers?.getSetCookie() ?? [];
    const signedIn = await auth.api.signInAfterVerification({ body: { userId: link.userId }, headers, returnHeaders: true });
    return [...(verified.headers?.getSetCookie() ?? []), ...(signedIn.headers?.getSetCookie() ?? [])];
  });
  return { ok: true, email: link.email, signedIn: signIn, setCookies };
}
