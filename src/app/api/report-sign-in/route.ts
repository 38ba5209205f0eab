// POST /api/report-sign-in {"token": "..."}: "this wasn't me", from the new-sign-in email.
// Public (the visitor is not signed in; the token is the credential), same-origin only.
// The page /report-sign-in only shows what will happen; this is what acts.
import { z } from "zod";
import { API_ERROR } from "@/lib/http/error-codes";
import { ApiError, handleErrors } from "@/lib/http/errors";
import { limitPublicRoute } from "@/lib/auth/rate-limit";
import { readJsonBody } from "@/lib/http/json-body";
import { assertSameOrigin } from "@/lib/http/same-origin";
import { assertRequestNotImpersonating } from "@/lib/sessions/impersonation";
import { confirmReport, type TokenProblem } from "@/lib/security/report-sign-in";

export const dynamic = "force-dynamic";

const body = z.strictObject({ token: z.string().min(1).max(1024) });

const REFUSALS: Record<TokenProblem, ApiError> = {
  invalid: new ApiError(400, API_ERROR.invalidLink, "This link is not valid."),
  expired: new ApiError(410, API_ERROR.linkExpired, "This link has expired."),
  used: new ApiError(410, API_ERROR.linkUsed, "This link was already used."),
};

export const POST = handleErrors(async (request: Request) => {
  assertSameOrigin(request);
  // Public, but not from a browser holding a support session (lib/auth/impersonation.ts).
  await assertRequestNotImpersonating(request.headers);
  // Tokens are MACed (guessing is hopeless), but each try costs a verification and a query.
  await limitPublicRoute("/api/report-sign-in", request.headers);
  const parsed = body.safeParse(await readJsonBody(request));
  if (!parsed.success) throw new ApiError(400, API_ERROR.invalidBody, 'Send {"token": "<the link\'s token>"}.');
  const result = await confirmReport(parsed.data.token);
  if (!result.ok) throw REFUSALS[result.problem];
  return Response.json(result.kind === "session" ? { ended: result.ended, signOutEverywhereToken: result.signOutEverywhereToken } : { ended: result.ended }, {
    headers: { "Cache-Control": "no-store" },
  });
});
