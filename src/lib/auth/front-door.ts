// One front door: better-auth's endpoints under /api/auth obey the app's rules.
//
// Every endpoint better-auth registers is, by its path, exactly one of:
//  - DISABLED (better-auth's `disabledPaths`: 404 over HTTP): the app replaces it, or the
//    app has no use for it (no social providers);
//  - PUBLIC: reachable without a session, for the reason written next to it;
//  - GATED (everything else, including endpoints a future better-auth adds): the app's own
//    session check (revoked, idle, absolute expiry; src/lib/sessions/validate.ts) runs
//    before better-auth does, and a session it refuses gets 401.
// The check runs as a better-auth `hooks.before` rather than in the proxy gate because
// there it sees the path better-auth's router resolved (no second parser to disagree
// with), the body it parsed, and it holds however the handler is reached.
import type { BetterAuthPlugin } from "better-auth";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { session as sessionTable } from "@/db/schema";
import { env } from "@/lib/env";
import { authCookieNames, secureCookies, sessionCookieName, verifySessionCookie } from "@/lib/sessions/cookie";
import { sessionsEnded } from "@/lib/sessions/ended";
import { endSessions } from "@/lib/sessions/lifecycle";
import { readSessionCookie } from "@/lib/sessions/cookie";
import { checkSessionCookie, type SessionCheck } from "@/lib/sessions/validate";
import type { ValidityEntry } from "@/lib/session-index";
import { assertSafeInput, NAME_FIELD_PATHS, normalizeName } from "./input-rules";
import { normaliseRedirectTargets } from "./redirect-targets";
import { SIGN_IN_AFTER_VERIFICATION_PATH } from "./verification-confirm";
import { withDatabaseHooks } from "./database-hooks";
import { nativeSignInAnswer } from "./native-clients";
import { ADMIN_PLUGIN_PATHS } from "./admin-plugin";
import { SECOND_STEP_PATHS } from "./two-factor";
import { PASSKEY_SIGN_IN_PATHS } from "./passkeys";
import { START_PATH, STOP_PATH } from "./impersonation";

/** Answer 404 over HTTP. Server code may still call them through auth.api. */
export const DISABLED_PATHS = [
  // Replaced by GET /api/sessions and POST /api/sessions/revoke, which work with session
  // ids and never hand a browser another session's token (list-sessions returned them all).
  "/list-sessions",
  "/revoke-session",
  "/revoke-sessions",
  "/revoke-other-sessions",
  "/update-session",
  // A password oracle over HTTP; the app calls it server-side (rate limited) only.
  "/verify-password",
  // The app signs in with OAuth providers but never calls them on the user's behalf:
  // their access and refresh tokens stay in the database, never handed to a browser.
  "/get-access-token",
  "/refresh-token",
  "/account-info",
  // Two-factor by emailed/texted code (OTP) is not configured: only an authenticator app.
  "/two-factor/send-otp",
  "/two-factor/verify-otp",
  // Account deletion by emailed token is not configured (delete-user asks for the
  // password or a fresh sign-in instead).
  "/delete-user/callback",
  // The admin plugin's endpoints: the console's own routes (/api/admin/*, lib/admin) act
  // through the session lifecycle and the audit log instead (admin-plugin.ts).
  ...ADMIN_PLUGIN_PATHS,
];

/** Reachable without a session. Everything not listed here or disabled is gated. */
export const PUBLIC_PATHS: Record<string, string> = {
  "/sign-up/email": "creates an account; the emailed link is the proof",
  "/sign-in/email": "the email and password are the credential (rate limited per client and account)",
  "/sign-out": "ends the presented session if there is one; harmless without one",
  "/verify-email": "the emailed token is the credential",
  "/send-verification-email": "resend for a person not signed in yet; same answer for every address",
  "/request-password-reset": "for a person who cannot sign in; same answer for every address",
  "/reset-password/:token": "the emailed link's landing redirect; the token is the credential",
  "/reset-password": "the emailed token is the credential; ends every session of the account",
  "/callback/:id": "the OAuth provider's answer: state (bound to this browser's cookie), PKCE and the provider's code are the credential (rate limited)",
  "/sign-in/social": "starts an OAuth sign-in: only a redirect to the provider, with state and PKCE (rate limited; options limited: oauth.ts)",
  "/device/code": "a command-line tool asks for a code (known client ids only, rate limited); it grants nothing until a signed-in person approves",
  "/device/token": "the tool polls with its device code, which is the credential (single use, expires, slow_down, rate limited)",
  "/two-factor/verify-totp":
    "second step of a sign-in: the signed two_factor cookie from the password step is the credential (rate limited per client; better-auth locks the account's second step after 10 wrong codes); with a session cookie, that session must be live",
  "/two-factor/verify-backup-code": "second step with a backup code: as verify-totp",
  "/passkey/generate-authenticate-options":
    "starts a passkey sign-in: a random challenge bound to this browser's signed cookie (single use, 5 minutes; rate limited)",
  "/passkey/verify-authentication":
    "the passkey's signed assertion over that challenge is the credential (user verification required: passkeys.ts; rate limited); ends this browser's previous session like every sign-in",
  [STOP_PATH]:
    "returns a browser to the admin's own session kept in the signed admin_session cookie, which must be live (checked in impersonation.ts); also after the support session was ended by the user",
  "/ok": "health check, no data",
  "/error": "better-auth's error page, no data",
};

/**
 * Server-only endpoints of the app's plugins (better-auth's router never serves them over
 * HTTP) that run for a visitor without a session. Not in PUBLIC_PATHS, which names HTTP endpoints.
 */
export const SERVER_ONLY_PUBLIC_PATHS: Record<string, string> = {
  [SIGN_IN_AFTER_VERIFICATION_PATH]: "signs in a browser without a session after POST /api/verify-email confirmed its link",
};

/**
 * Gated endpoints that need the password (the named field) or, where better-auth lets them
 * run without one, a sign-in younger than SESSION_FRESH_AGE (answered with `message`, or the
 * default one). They end other sessions, or show or replace the authenticator secret or
 * backup codes (without a password only for an account that has none: allowPasswordless).
 */
export const PASSWORD_OR_FRESH_SIGN_IN: Record<string, { field: string; message?: string }> = {
  "/change-password": { field: "currentPassword" }, // required by better-auth's schema
  "/delete-user": { field: "password" },
  "/two-factor/get-totp-uri": { field: "password", message: "Please sign in again to see your authenticator setup." },
  "/two-factor/generate-backup-codes": { field: "password", message: "Please sign in again before creating new backup codes." },
};

/**
 * Gated endpoints that let another device or identity into the account, or remove a way in:
 * each needs a sign-in younger than SESSION_FRESH_AGE, whatever else is sent (a stolen, older
 * session cannot approve the thief's device or link the thief's identity). Value: the message.
 */
export const FRESH_SIGN_IN_PATHS: Record<string, string> = {
  "/device/approve": "Please sign in again to approve a device: this lets it into your account.",
  "/link-social": "Please sign in again first: this changes how you sign in.",
  "/unlink-account": "Please sign in again first: this changes how you sign in.",
  "/two-factor/enable": "Please sign in again before turning two-factor on.",
  "/two-factor/disable": "Please sign in again before turning two-factor off.",
  // A passkey is a way in on its own: adding one (both halves) or removing one.
  "/passkey/generate-register-options": "Please sign in again before adding a passkey.",
  "/passkey/verify-registration": "Please sign in again before adding a passkey.",
  "/passkey/delete-passkey": "Please sign in again before removing a passkey.",
  [START_PATH]: "Please sign in again before viewing an account as its user.",
};

/** Paths where better-auth creates a session for this browser (a sign-in). */
const SIGN_IN_PATHS = new Set(["/sign-in/email", "/sign-up/email", "/verify-email", "/callback/:id", SIGN_IN_AFTER_VERIFICATION_PATH, ...SECOND_STEP_PATHS, ...PASSKEY_SIGN_IN_PATHS]);

function clearedCookies(): Headers {
  const headers = new Headers();
  for (const name of authCookieNames()) {
    headers.append("Set-Cookie", `${name}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${secureCookies() ? "; Secure" : ""}`);
  }
  return headers;
}

function sessionCookieCount(headers: Headers | undefined): number {
  const name = sessionCookieName();
  return (headers?.get("cookie") ?? "").split(";").filter((part) => part.split("=", 1)[0]!.trim() === name).length;
}

/** The app's session check for a better-auth request: the live session, or an APIError. */
async function requireLiveSession(headers: Headers | undefined): Promise<ValidityEntry> {
  // Two session cookies: we would check one and better-auth might act on the other.
  if (sessionCookieCount(headers) > 1) {
    throw new APIError("UNAUTHORIZED", { code: "UNAUTHENTICATED", message: "Send exactly one session cookie." }, clearedCookies());
  }
  let check: SessionCheck;
  try {
    check = await checkSessionCookie(headers ? readSessionCookie(headers) : undefined);
  } catch (err) {
    console.error("[front-door] session check failed:", (err as Error).message);
    throw new APIError("SERVICE_UNAVAILABLE", { code: "UNAVAILABLE", message: "The service is temporarily unavailable. Please try again shortly." }, { "Retry-After": "5" });
  }
  if (!check.ok) {
    const message = "You are not signed in, or your session has ended.";
    throw new APIError("UNAUTHORIZED", { code: "UNAUTHENTICATED", message }, check.reason === "missing" ? undefined : clearedCookies());
  }
  return check.session;
}

async function assertFreshSession(sessionId: string, message = "Please confirm your password: this ends your other sessions."): Promise<void> {
  const freshAge = env().SESSION_FRESH_AGE * 1000;
  if (freshAge <= 0) return;
  const [row] = await getDb().select({ createdAt: sessionTable.createdAt }).from(sessionTable).where(eq(sessionTable.id, sessionId));
  if (!row || Date.now() - row.createdAt.getTime() > freshAge) {
    throw new APIError("FORBIDDEN", { code: "REAUTHENTICATION_REQUIRED", message });
  }
}

/**
 * Same browser, one session: a sign-in from a browser that still holds a valid session
 * ends that session first (both stores), so the old cookie can never be presented again.
 * Runs just before better-auth inserts the new session, i.e. after the credentials were
 * accepted, and before the concurrent-session limit counts (the old one is not evicted-for).
 * Announced like every end (metric, history, open tabs): for the same account the browser
 * carries on under the new session (its tabs stay, as after a password change); for
 * another account, tabs still showing the old one are signed out.
 */
async function endPreviousSessionOfThisBrowser(headers: Headers | undefined, newUserId: string): Promise<void> {
  const token = verifySessionCookie(headers ? readSessionCookie(headers) : undefined);
  if (!token) return;
  const [row] = await getDb()
    .select({ id: sessionTable.id, userId: sessionTable.userId })
    .from(sessionTable)
    .where(eq(sessionTable.token, token))
    .limit(1);
  if (!row) return;
  const ended = await endSessions(row.userId, { sessionIds: [row.id] });
  const carriesOn = row.userId === newUserId ? row.id : undefined;
  sessionsEnded(row.userId, "sign-out", ended, carriesOn, { sessionId: row.id });
}

/**
 * better-auth puts the raw session token in JSON bodies (sign-in, change-password, and
 * get-session's `session.token`): script in the page could read what the HttpOnly cookie
 * hides. The cookie is all a browser needs, so the token is left out (null).
 */
function withoutSessionToken(returned: unknown): Record<string, unknown> | null {
  if (returned === null || typeof returned !== "object" || returned instanceof Error || returned instanceof Response) return null;
  const body = returned as Record<string, unknown>;
  let changed = false;
  const out: Record<string, unknown> = { ...body };
  if (typeof body.token === "string") {
    out.token = null;
    changed = true;
  }
  const session = body.session as Record<string, unknown> | null | undefined;
  if (session && typeof session === "object" && typeof session.token === "string") {
    out.session = { ...session, token: null };
    changed = true;
  }
  return changed ? out : null;
}

export const frontDoorPlugin = () =>
  ({
    id: "front-door",
    init: withDatabaseHooks({
      session: {
        create: {
          before: async (session, ctx) => {
            // Only sign-ins: change-password creates its session inside a transaction
            // that already deleted the old one (a second connection would wait on it).
            // (A second step with a live session is a re-issue of that session, not a sign-in.)
            const acting = (ctx?.context as { session?: { session?: unknown } } | undefined)?.session?.session;
            if (ctx && SIGN_IN_PATHS.has(ctx.path) && !acting) await endPreviousSessionOfThisBrowser(ctx.headers, session.userId);
          },
        },
      },
    }),
    hooks: {
      before: [
        {
          matcher: () => true,
          handler: createAuthMiddleware(async (ctx) => {
            assertSafeInput({ body: ctx.body, query: ctx.query, params: ctx.params });
            // Redirect targets: a same-origin path or 400, before better-auth's own (weaker) check.
            const targets = normaliseRedirectTargets({ body: ctx.body, query: ctx.query });
            let body = (targets.body ?? ctx.body) as Record<string, unknown> | undefined;
            if (NAME_FIELD_PATHS.has(ctx.path) && body && (ctx.path === "/sign-up/email" || "name" in body)) {
              body = { ...body, name: normalizeName(body.name) };
            }
            if (SECOND_STEP_PATHS.has(ctx.path) && ctx.headers && readSessionCookie(ctx.headers)) {
              // Confirming an authenticator app from a session: the session must be live.
              await requireLiveSession(ctx.headers);
            } else if (!Object.hasOwn(PUBLIC_PATHS, ctx.path) && !(Object.hasOwn(SERVER_ONLY_PUBLIC_PATHS, ctx.path) && !ctx.request)) {
              const current = await requireLiveSession(ctx.headers);
              const passwordRule = Object.hasOwn(PASSWORD_OR_FRESH_SIGN_IN, ctx.path) ? PASSWORD_OR_FRESH_SIGN_IN[ctx.path] : undefined;
              if (passwordRule) {
                const password = body?.[passwordRule.field];
                if (typeof password !== "string" || password === "") await assertFreshSession(current.sessionId, passwordRule.message);
              }
              if (Object.hasOwn(FRESH_SIGN_IN_PATHS, ctx.path)) await assertFreshSession(current.sessionId, FRESH_SIGN_IN_PATHS[ctx.path]);
            }
            // A password change ends every other session, whatever the client asked (ASVS 7.4.3).
            if (ctx.path === "/change-password" && body) body = { ...body, revokeOtherSessions: true };
            if (body === ctx.body && !targets.query) return;
            return { context: { ...(body === ctx.body ? {} : { body }), ...(targets.query ? { query: targets.query } : {}) } };
          }),
        },
      ],
      after: [
        {
          matcher: () => true,
          handler: createAuthMiddleware(async (ctx) => {
            // A native app's sign-in: its answer is the bearer token (no cookie jar to hold one).
            if (ctx.path === "/sign-in/email" || SECOND_STEP_PATHS.has(ctx.path)) {
              const native = nativeSignInAnswer(ctx.headers, ctx.context.returned, ctx.context.newSession?.session.id);
              if (native) return ctx.json(native);
            }
            const stripped = withoutSessionToken(ctx.context.returned);
            if (stripped) return ctx.json(stripped);
          }),
        },
      ],
    },
  }) satisfies BetterAuthPlugin;
