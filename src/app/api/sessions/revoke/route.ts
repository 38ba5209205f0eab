// POST /api/sessions/revoke  {"sessionId": "..."} | {"all": true}  (+ optional "password")
import { passwordMatches } from "@/lib/auth/password";
import { API_ERROR } from "@/lib/http/error-codes";
import { ApiError, handleErrors } from "@/lib/http/errors";
import { readJsonBody } from "@/lib/http/json-body";
import { assertSameOrigin } from "@/lib/http/same-origin";
import { assertNotImpersonating } from "@/lib/sessions/impersonation";
import { requireSession } from "@/lib/sessions/request";
import { revoke, revokeBody } from "@/lib/sessions/service";

export const POST = handleErrors(async (request: Request) => {
  assertSameOrigin(request);
  const current = await requireSession(request);
  // Support viewing the account may not sign its devices out (lib/auth/impersonation.ts).
  await assertNotImpersonating(current.sessionId);
  const parsed = revokeBody.safeParse(await readJsonBody(request));
  if (!parsed.success) {
    throw new ApiError(400, API_ERROR.invalidBody, 'Send {"sessionId": "<id>"} or {"all": true}.');
  }
  const result = await revoke(current, parsed.data, request.headers, passwordMatches);
  return Response.json(result, { headers: { "Cache-Control": "no-store" } });
});
