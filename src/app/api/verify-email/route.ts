// POST /api/verify-email {"token": "..."}: the confirmation button of /verify-email?token=.
// Public (the visitor is usually not signed in; the emailed token is the credential), same
// origin only. The link's GET and the page only show; this is what verifies (and, for a
// browser without a session, signs in): see lib/auth/verification-confirm.ts.
import { z } from "zod";
import { confirmEmailVerification } from "@/lib/auth/confirm-verification";
import type { LinkProblem } from "@/lib/auth/verification-confirm";
import { API_ERROR } from "@/lib/http/error-codes";
import { ApiError, handleErrors } from "@/lib/http/errors";
import { readJsonBody } from "@/lib/http/json-body";
import { assertSameOrigin } from "@/lib/http/same-origin";

export const dynamic = "force-dynamic";

const body = z.strictObject({ token: z.string().min(1).max(4096) });

const REFUSALS: Record<LinkProblem, ApiError> = {
  INVALID_TOKEN: new ApiError(400, API_ERROR.invalidLink, "This link is not valid."),
  TOKEN_EXPIRED: new ApiError(410, API_ERROR.linkExpired, "This link has expired."),
  USER_NOT_FOUND: new ApiError(410, API_ERROR.accountNotFound, "The account this link was for no longer exists."),
};

export const POST = handleErrors(async (request: Request) => {
  // A cross-site form could otherwise post an attacker's token from the victim's browser.
  assertSameOrigin(request);
  const parsed = body.safeParse(await readJsonBody(request));
  if (!parsed.success) throw new ApiError(400, API_ERROR.invalidBody, 'Send {"token": "<the link\'s token>"}.');
  const result = await confirmEmailVerification(parsed.data.token, request.headers);
  if (!result.ok) throw REFUSALS[result.problem];
  const headers = new Headers({ "Cache-Control": "no-store" });
  // Inside Next, better-auth's nextCookies plugin also sets these through cookies(): the
  // same cookie twice is harmless, and outside Next (tests, other servers) this is the only copy.
  for (const cookie of result.setCookies) headers.append("Set-Cookie", cookie);
  return Response.json({ verified: true, email: result.email, signedIn: result.signedIn }, { headers });
});
