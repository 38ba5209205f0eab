// Two-factor authentication (TOTP + backup codes), better-auth's twoFactor plugin under the
// app's rules (docs/second-factors.md):
//  - The password step never creates a session. better-auth's own plugin lets the
//    password sign-in create one and deletes it afterwards; in between, that session
//    would have been indexed, announced by email and counted. Here the session insert is
//    refused in databaseHooks.session.create.before (before any other plugin's hook), and
//    the refusal is turned into better-auth's usual challenge (the signed two_factor
//    cookie and { twoFactorRedirect: true }), so better-auth's verify endpoints work as is.
//  - An OAuth sign-in to such an account is held the same way: the callback's session insert
//    is refused, and instead of better-auth's error redirect the browser gets the same
//    challenge and goes to the sign-in page's second step. The provider is kept with the
//    challenge, so the session's method reads "github+totp".
//  - The session is created only by the second step (verify-totp / verify-backup-code),
//    through every database hook like any sign-in, with its method recorded.
//  - "Trust this device" is the app's device cookie (two-factor-trust.ts), never
//    better-auth's trust_device cookie: the flag is taken out of the body.
//  - Turning the factor on or off is recorded and emailed.
import type { BetterAuthPlugin } from "better-auth";
import { APIError, createAuthMiddleware, getOAuthState } from "better-auth/api";
import { generateRandomString } from "better-auth/crypto";
import { twoFactor } from "better-auth/plugins";
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { session as sessionTable, user as userTable } from "@/db/schema";
import { clientAddress } from "@/lib/client-address";
import { deviceOf } from "@/lib/device";
import { locate } from "@/lib/location";
import { sendAuthEmail } from "@/lib/mail";
import { env } from "@/lib/env";
import { DEFAULT_NEXT, sameOriginPath } from "@/lib/safe-next";
import { recordSecurityEvent, type SecurityEventType } from "@/lib/security/events";
import { signSessionToken } from "@/lib/sessions/cookie";
import { OAUTH_PROVIDER_IDS, type OAuthProviderId } from "@/lib/sign-in-context";
import { withDatabaseHooks } from "./database-hooks";
import { deviceIdOf } from "./device-identity";
import { declaredClientOf } from "./native-clients";
import { accountLinks } from "./emails";
import { SIGN_IN_AFTER_VERIFICATION_PATH } from "./verification-confirm";
import { endDeviceTrust, isTrustedDevice, TRUST_DAYS, trustDevice } from "@/lib/two-factor-trust";

/** How long the password step's challenge (two_factor cookie) stays good. */
export const CHALLENGE_MAX_AGE = 10 * 60;
/** The second step's endpoints: public (the two_factor cookie is the credential). */
export const SECOND_STEP_PATHS = new Set(["/two-factor/verify-totp", "/two-factor/verify-backup-code"]);

/** better-auth's plugin, configured; its sign-in hook is replaced by the gate below. */
export function twoFactorPlugin() {
  const plugin = twoFactor({
    issuer: "Revocable",
    trustDeviceMaxAge: TRUST_DAYS * 24 * 60 * 60,
    twoFactorCookieMaxAge: CHALLENGE_MAX_AGE,
    // Per account: 10 wrong codes in a row lock the second step for 15 minutes (better-auth's default, spelled out).
    accountLockout: { enabled: true, maxFailedAttempts: 10, durationSeconds: 15 * 60 },
    // An account with no password (made through a provider) turns 2FA on and off, and reads
    // its secret or new backup codes, with a fresh sign-in instead (front-door.ts). An account
    // with a password must still give it: better-auth asks whenever a credential row has one.
    allowPasswordless: true,
  });
  // Its after-hook on /sign-in/email deletes a session that already went through every
  // database hook; the gate never lets that session be created. Its rate limit (3 per 10 s
  // on every /two-factor/ path) gives way to the app's per-route rules (rate-limit.ts).
  return { ...plugin, hooks: undefined, rateLimit: undefined };
}

/** better-auth's OAuth callback (every provider, OIDC included). */
const OAUTH_CALLBACK_PATH = "/callback/:id";

/**
 * Sign-ins that prove one factor only. A password or OAuth sign-in is answered with the
 * challenge; the others (an emailed verification link) are refused outright for an account
 * with 2FA on.
 */
const FIRST_STEP_PATHS = new Set(["/sign-in/email", "/sign-up/email", "/verify-email", SIGN_IN_AFTER_VERIFICATION_PATH, OAUTH_CALLBACK_PATH]);

/** The refusal the session hook throws; turned into the challenge by the after-hook. */
const pending = new WeakMap<object, string>();
/**
 * OAuth sign-ins the gate refused, by request. better-auth's callback turns the refusal into
 * its error redirect (losing the error object), so the after-hook finds them by request.
 */
const refusedOAuth = new WeakMap<object, { userId: string; provider: OAuthProviderId; next: string | null }>();
/** Requests of the second step that asked to trust this device (key: their headers). */
const trustAsked = new WeakSet<object>();

const requestKey = (ctx: { headers?: Headers; request?: Request }): object | undefined => ctx.headers ?? ctx.request;

/** Where the OAuth sign-in was going (its state's callbackURL), as a path on this app. */
async function oauthDestination(): Promise<string | null> {
  const state = await getOAuthState().catch(() => null);
  return typeof state?.callbackURL === "string" ? sameOriginPath(state.callbackURL, new URL(env().APP_URL).origin) : null;
}

type HookContext = Parameters<Parameters<typeof createAuthMiddleware>[0]>[0];

/**
 * The challenge better-auth's verify endpoints read (plugins/two-factor/verify-two-factor):
 * the `2fa-<id>` and `2fa-attempts-<id>` records and the signed two_factor cookie. An OAuth
 * first step is kept beside them (`2fa-first-<id>`) for the session's method.
 */
async function issueChallenge(ctx: HookContext, userId: string, firstStep?: OAuthProviderId, { cookie = true } = {}): Promise<string> {
  const expiresAt = new Date(Date.now() + CHALLENGE_MAX_AGE * 1000);
  const identifier = `2fa-${generateRandomString(20)}`;
  await ctx.context.internalAdapter.createVerificationValue({ value: userId, identifier, expiresAt });
  await ctx.context.internalAdapter.createVerificationValue({ value: "0", identifier: `2fa-attempts-${identifier}`, expiresAt });
  if (firstStep) await ctx.context.internalAdapter.createVerificationValue({ value: firstStep, identifier: `2fa-first-${identifier}`, expiresAt });
  // The signed value, as the cookie holds it: a native app gets it in the answer instead.
  const signed = decodeURIComponent(signSessionToken(identifier, ctx.context.secret));
  if (cookie) {
    const twoFactor = ctx.context.createAuthCookie("two_factor", { maxAge: CHALLENGE_MAX_AGE });
    await ctx.setSignedCookie(twoFactor.name, identifier, ctx.context.secret, twoFactor.attributes);
  }
  return signed;
}

/**
 * The OAuth provider a second step's challenge began with (undefined: the password). Read
 * once, when the second step creates the session; the record goes with the challenge.
 */
export async function firstStepOf(ctx: {
  path?: string;
  getSignedCookie: (name: string, secret: string) => Promise<string | null | false>;
  context: { secret: string; createAuthCookie: (name: string) => { name: string }; internalAdapter: { consumeVerificationValue: (identifier: string) => Promise<{ value: string } | null> } };
}): Promise<OAuthProviderId | undefined> {
  if (!SECOND_STEP_PATHS.has(ctx.path ?? "")) return undefined;
  const identifier = await ctx.getSignedCookie(ctx.context.createAuthCookie("two_factor").name, ctx.context.secret);
  if (!identifier) return undefined;
  const first = await ctx.context.internalAdapter.consumeVerificationValue(`2fa-first-${identifier}`).catch(() => null);
  return OAUTH_PROVIDER_IDS.find((id) => id === first?.value);
}

async function twoFactorEnabled(userId: string): Promise<boolean> {
  const [row] = await getDb().select({ on: userTable.twoFactorEnabled }).from(userTable).where(eq(userTable.id, userId));
  return row?.on === true;
}

type ActingSession = { session: { id: string; userAgent?: string | null; ipAddress?: string | null; location?: string | null }; user: { id: string; email: string; name: string; twoFactorEnabled?: boolean | null } };

/** Two-factor is on and this device (its device cookie) is not trusted to skip it. */
async function owesSecondStep(userId: string, ctx: Parameters<typeof deviceIdOf>[0]): Promise<boolean> {
  if (!(await twoFactorEnabled(userId))) return false;
  const deviceId = await deviceIdOf(ctx);
  return !(deviceId && (await isTrustedDevice(userId, deviceId)));
}

function actingSession(ctx: { context: unknown }): ActingSession | null {
  const s = (ctx.context as { session?: ActingSession | null }).session;
  return s?.session?.id ? s : null;
}

/** A factor changed: Recent activity, and an email that is always sent. */
async function factorChanged(acting: ActingSession, type: SecurityEventType, headers: Headers | undefined): Promise<void> {
  const ip = acting.session.ipAddress || clientAddress(headers);
  const location = acting.session.ipAddress ? (acting.session.location ?? null) : await locate(ip);
  const userAgent = acting.session.userAgent ?? headers?.get("user-agent") ?? null;
  recordSecurityEvent({ userId: acting.user.id, type, sessionId: acting.session.id, userAgent, ipAddress: ip, location });
  if (type !== "two-factor-enabled" && type !== "two-factor-disabled") return;
  void sendAuthEmail({
    template: "second-factor-changed",
    to: acting.user.email,
    name: acting.user.name,
    at: new Date(),
    change: type,
    device: deviceOf(userAgent, ip, location),
    securitySettingsUrl: accountLinks().activeDevices,
  });
}

export const secondStepPlugin = () =>
  ({
    id: "second-step",
    init: withDatabaseHooks({
      account: {
        create: {
          // A provider identity joins an account with 2FA on only from its settings (a session
          // that passed the second step), never by matching addresses at a sign-in that has
          // not passed it yet: the link would outlive an abandoned second step.
          before: async (account, ctx) => {
            if (ctx?.path !== OAUTH_CALLBACK_PATH) return;
            const state = await getOAuthState().catch(() => null);
            if (state?.link || !(await owesSecondStep(account.userId, ctx))) return;
            throw new APIError("FORBIDDEN", {
              code: "account_not_linked",
              message: "Sign in with your password and authenticator app, then link this provider from Security settings.",
            });
          },
        },
      },
      session: {
        create: {
          before: async (session, ctx) => {
            if (!ctx?.path || !FIRST_STEP_PATHS.has(ctx.path) || !(await owesSecondStep(session.userId, ctx))) return;
            const refusal = new APIError("UNAUTHORIZED", { code: "SECOND_STEP_REQUIRED", message: "Enter the code from your authenticator app." });
            pending.set(refusal, session.userId);
            if (ctx.path === OAUTH_CALLBACK_PATH) {
              const key = requestKey(ctx);
              const provider = OAUTH_PROVIDER_IDS.find((id) => id === (ctx.params as { id?: unknown } | undefined)?.id);
              if (key && provider) refusedOAuth.set(key, { userId: session.userId, provider, next: await oauthDestination() });
            }
            throw refusal;
          },
        },
      },
    }),
    hooks: {
      before: [
        {
          matcher: (ctx) => SECOND_STEP_PATHS.has(ctx.path ?? ""),
          handler: createAuthMiddleware(async (ctx) => {
            const body = ctx.body as Record<string, unknown> | undefined;
            if (body?.trustDevice === undefined) return;
            const key = requestKey(ctx);
            if (body.trustDevice === true && key) trustAsked.add(key);
            // better-auth's own trust cookie is not used: the device cookie carries the trust.
            return { context: { body: { ...body, trustDevice: false } } };
          }),
        },
      ],
      after: [
        {
          // The password was right and a second step is due: answer with the challenge.
          matcher: (ctx) => ctx.path === "/sign-in/email",
          handler: createAuthMiddleware(async (ctx) => {
            const returned = ctx.context.returned;
            const userId = returned && typeof returned === "object" ? pending.get(returned) : undefined;
            if (!userId) return;
            // A native app (no cookie jar: docs/native-clients.md) gets the challenge in the body.
            const native = declaredClientOf(ctx.headers)?.ok === true;
            const challenge = await issueChallenge(ctx, userId, undefined, { cookie: !native });
            // A Response, not ctx.json(): the refusal's 401 would stay the answer's status.
            // better-auth adds the cookie set above to it.
            return Response.json({ twoFactorRedirect: true, twoFactorMethods: ["totp"], ...(native ? { challenge } : {}) }, { status: 200 });
          }),
        },
        {
          // The provider said who it is and a second step is due: the same challenge, and the
          // browser goes to the sign-in page's second step instead of better-auth's error page.
          matcher: (ctx) => ctx.path === OAUTH_CALLBACK_PATH,
          handler: createAuthMiddleware(async (ctx) => {
            const key = requestKey(ctx);
            const refused = key ? refusedOAuth.get(key) : undefined;
            if (!key || !refused) return;
            refusedOAuth.delete(key);
            await issueChallenge(ctx, refused.userId, refused.provider);
            const target = new URLSearchParams({ step: "two-factor" });
            if (refused.next && refused.next !== DEFAULT_NEXT) target.set("next", refused.next);
            const location = `${env().APP_URL.replace(/\/+$/, "")}/sign-in?${target}`;
            // The error redirect's Location is already among the answer's headers: replace it there.
            ctx.setHeader("location", location);
            return new Response(null, { status: 302, headers: { location } });
          }),
        },
        {
          matcher: (ctx) => SECOND_STEP_PATHS.has(ctx.path ?? ""),
          handler: createAuthMiddleware(async (ctx) => {
            const key = requestKey(ctx);
            const trust = !!key && trustAsked.delete(key);
            if (ctx.context.returned instanceof Error || ctx.context.returned instanceof Response) return;
            const acting = actingSession(ctx);
            if (acting) {
              // With a session, verify-totp confirms the authenticator app being set up.
              if (ctx.path === "/two-factor/verify-totp" && !acting.user.twoFactorEnabled) await factorChanged(acting, "two-factor-enabled", ctx.headers);
              return;
            }
            const created = ctx.context.newSession?.session;
            if (!created) return;
            if (ctx.path === "/two-factor/verify-backup-code") {
              const s = created as typeof created & { location?: string | null };
              recordSecurityEvent({ userId: created.userId, type: "backup-code-used", sessionId: created.id, userAgent: s.userAgent ?? null, ipAddress: s.ipAddress ?? null, location: s.location ?? null });
            }
            if (trust) {
              const [row] = await getDb().select({ deviceId: sessionTable.deviceId }).from(sessionTable).where(eq(sessionTable.id, created.id));
              if (row?.deviceId) await trustDevice(created.userId, row.deviceId);
            }
          }),
        },
        {
          matcher: (ctx) => ctx.path === "/two-factor/disable" || ctx.path === "/two-factor/generate-backup-codes",
          handler: createAuthMiddleware(async (ctx) => {
            if (ctx.context.returned instanceof Error) return;
            const acting = actingSession(ctx);
            if (!acting) return;
            if (ctx.path === "/two-factor/disable") {
              await endDeviceTrust(acting.user.id);
              await factorChanged(acting, "two-factor-disabled", ctx.headers);
            } else {
              await factorChanged(acting, "backup-codes-regenerated", ctx.headers);
            }
          }),
        },
      ],
    },
  }) satisfies BetterAuthPlugin;
