// Every redirect target better-auth accepts (callbackURL, redirectTo, errorCallbackURL,
// newUserCallbackURL, in a body or a query, on any endpoint) goes through the parser the
// app uses for `next` (safe-next.ts) before better-auth sees it.
//
// Why not better-auth's trustedOrigins check: for a root-relative target it checks only
// that the URL parser keeps it on its own origin (`isSafeRelativeURL`), then redirects to
// the raw string, or to `new URL(target, base)` re-serialised when it appends `?error=`.
// "/.//evil.example/x" and "/a/..//evil.example/x" pass that check and normalise to the
// path "//evil.example/x", which the browser reads as another host.
import { APIError } from "better-auth/api";
import { env } from "@/lib/env";
import { sameOriginPath } from "@/lib/safe-next";

/** The fields better-auth redirects to, with its own error code for each. */
const TARGET_FIELDS: Record<string, string> = {
  callbackURL: "INVALID_CALLBACK_URL",
  redirectTo: "INVALID_REDIRECT_URL",
  errorCallbackURL: "INVALID_ERROR_CALLBACK_URL",
  newUserCallbackURL: "INVALID_NEW_USER_CALLBACK_URL",
};

type Fields = Record<string, unknown>;

function normalised(fields: Fields | undefined, appOrigin: string): Fields | undefined {
  if (!fields || typeof fields !== "object") return undefined;
  let out: Fields | undefined;
  for (const [field, code] of Object.entries(TARGET_FIELDS)) {
    if (!Object.hasOwn(fields, field)) continue;
    const value = fields[field];
    if (value === undefined || value === "") continue; // absent: better-auth's own default
    const path = typeof value === "string" ? sameOriginPath(value, appOrigin) : null;
    if (path === null) {
      throw new APIError("BAD_REQUEST", { code, message: `${field} must be a path on this site.` });
    }
    if (path !== value) (out ??= { ...fields })[field] = path;
  }
  return out;
}

/**
 * The request's redirect targets, each replaced by the same-origin path it normalises to
 * ("/a/../b" -> "/b", "https://<this app>/x" -> "/x"); undefined for a part with nothing to
 * change. A target that leaves the origin, or is not a string, is refused with 400.
 */
export function normaliseRedirectTargets(input: { body?: unknown; query?: unknown }): { body?: Fields; query?: Fields } {
  const appOrigin = new URL(env().APP_URL).origin;
  return { body: normalised(input.body as Fields | undefined, appOrigin), query: normalised(input.query as Fields | undefined, appOrigin) };
}
