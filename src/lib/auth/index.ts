// better-auth, configured for Revocable. Created on first use (not at import) so that
// `next build` does not need the runtime environment.
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { createAuthMiddleware } from "better-auth/api";
import { nextCookies } from "better-auth/next-js";
import { getDb } from "@/db";
import { schema } from "@/db/schema";
import { env } from "@/lib/env";
import { getRedisClient } from "@/lib/redis/client";
import { betterAuthCookieOptions } from "@/lib/sessions/cookie";
import {
  onPasswordChanged,
  onPasswordReset,
  RESET_PASSWORD_EXPIRES_IN_MINUTES,
  sendPasswordResetEmail,
  sendVerificationEmail,
  sendVerificationLink,
  sendWelcomeEmail,
  VERIFY_EMAIL_EXPIRES_IN_HOURS,
} from "./emails";
import { clientAddressPlugin, IP_ADDRESS_OPTIONS, withClientAddress } from "./client-ip";
import { deviceIdentityPlugin } from "./device-identity";
import { withNativeCredential } from "./native-clients";
import { totpReplayPlugin } from "./totp-replay";
import { deviceAuthorizationPlugin, deviceFlowPlugin } from "./device-flow";
import { notifyNewDevice } from "./new-device";
import { accountRateLimitPlugin, RATE_LIMIT_RULES, rateLimitStorage } from "./rate-limit";
import { DISABLED_PATHS, frontDoorPlugin } from "./front-door";
import { passwordAttemptLimitPlugin } from "./password-rules";
import { sessionIndexPlugin } from "./session-index-plugin";
import { signInContextPlugin } from "./sign-in-context-plugin";
import { accountFlowsPlugin } from "./account-flows-plugin";
import { voidVerificationLinks } from "./pending-signup";
import { voidResetLinks } from "./reset-tokens";
import { signOutGuardPlugin } from "./sign-out-guard";
import { failedSignInPlugin } from "./failed-sign-in-plugin";
import { recordSecurityEvent } from "@/lib/security/events";
import { endLimitExemptions } from "@/lib/known-devices";
import { ACCOUNT_OPTIONS, oauthRulesPlugin, oidcPlugins, socialProviders, validateOAuthUserInfo } from "./oauth";
import { adminPlugin } from "./admin-plugin";
import { impersonationPlugin } from "./impersonation";
import { endDeviceTrust } from "@/lib/two-factor-trust";
import { secondStepPlugin, twoFactorPlugin } from "./two-factor";
import { passkeyPlugin, passkeyRulesPlugin } from "./passkeys";

function createAuth() {
  const e = env();
  const limiter = rateLimitStorage(getRedisClient());
  const rateLimited = e.RATE_LIMIT === "on";
  return betterAuth({
    appName: "Revocable",
    baseURL: e.APP_URL,
    secret: e.BETTER_AUTH_SECRET,
    trustedOrigins: [e.APP_URL],
    // Endpoints the app replaces or does not use: 404 (see front-door.ts, docs/front-door.md).
    disabledPaths: DISABLED_PATHS,
    database: drizzleAdapter(getDb(), { provider: "pg", schema }),
    emailAndPassword: {
      enabled: true,
      minPasswordLength: 10,
      maxPasswordLength: 128,
      requireEmailVerification: true,
      sendResetPassword: sendPasswordResetEmail,
      // One source for the link's lifetime and the email that states it.
      resetPasswordTokenExpiresIn: RESET_PASSWORD_EXPIRES_IN_MINUTES * 60,
      // Defaults to false in better-auth: a reset must end every session (ASVS 7.4.3).
      revokeSessionsOnPasswordReset: true,
      // The used link is consumed by better-auth; every other one of the account goes too.
      // No device stays exempt from the account's sign-in limit until it signs in with the
      // new password (an intruder's browser among them: lib/known-devices.ts).
      onPasswordReset: async (data, request) => {
        await voidResetLinks(data.user.id);
        // The password has changed by now: a failure here is logged, not turned into a 500.
        await endLimitExemptions(data.user.id).catch((err: unknown) =>
          console.error(`[auth] ending sign-in limit exemptions for user ${data.user.id} failed: ${(err as Error).message}`),
        );
        // No device skips the second step after a reset (lib/two-factor-trust.ts).
        await endDeviceTrust(data.user.id).catch((err: unknown) =>
          console.error(`[auth] ending trusted devices for user ${data.user.id} failed: ${(err as Error).message}`),
        );
        await onPasswordReset(data, request);
      },
    },
    emailVerification: {
      sendVerificationEmail,
      sendOnSignUp: true,
      sendOnSignIn: true,
      // Off: a link's GET must not switch a browser's account (login CSRF). A confirmed
      // verification signs in only a browser without a session (verification-confirm.ts).
      autoSignInAfterVerification: false,
      expiresIn: VERIFY_EMAIL_EXPIRES_IN_HOURS * 60 * 60,
      afterEmailVerification: async (user) => {
        await voidVerificationLinks(user.id);
        recordSecurityEvent({ userId: user.id, type: "email-verified" });
        await sendWelcomeEmail(user);
      },
    },
    session: {
      expiresIn: e.SESSION_MAX_LIFETIME,
      // No sliding refresh: expiresAt is the absolute cap; inactivity is the proxy's job.
      disableSessionRefresh: true,
      freshAge: e.SESSION_FRESH_AGE,
      // Never trust a cached session copy (better-auth issue 6893): no cookie cache.
      cookieCache: { enabled: false },
      // Sign-in context (src/db/schema.ts): set by the server when the session is created,
      // never from input (`input: false`: better-auth drops them from request bodies).
      additionalFields: {
        deviceId: { type: "string", required: false, input: false, returned: false },
        deviceFirstSeenAt: { type: "date", required: false, input: false, returned: false },
        location: { type: "string", required: false, input: false },
        signInMethod: { type: "string", required: false, input: false },
        declaredClient: { type: "string", required: false, input: false },
      },
    },
    user: { deleteUser: { enabled: true }, validateUserInfo: validateOAuthUserInfo },
    // GitHub, Google and one OIDC provider, each only when configured (oauth.ts, docs/oauth.md).
    socialProviders: socialProviders(e),
    account: ACCOUNT_OPTIONS,
    // A provider's answer that fails (a refused state, a provider error) lands on the
    // sign-in page with ?error=, not on better-auth's bare error page.
    onAPIError: { errorURL: `${e.APP_URL.replace(/\/+$/, "")}/sign-in` },
    // Per client IP, in Redis so limits hold across instances (ASVS 6.3.1).
    rateLimit: { enabled: rateLimited, window: 60, max: 100, customRules: RATE_LIMIT_RULES, customStorage: limiter },
    advanced: {
      // __Host-rv.* on https (no sibling subdomain can plant them), rv.* on http.
      ...betterAuthCookieOptions(),
      ipAddress: IP_ADDRESS_OPTIONS,
    },
    hooks: {
      after: createAuthMiddleware(async (ctx) => {
        if (ctx.path === "/change-password" && !(ctx.context.returned instanceof Error)) {
          await onPasswordChanged(ctx.context.session, ctx.request?.headers ?? ctx.headers);
        }
      }),
    },
    plugins: [
      // Before every other session hook: a password sign-in that owes a second step creates
      // no session at all (two-factor.ts). Its request hooks only rewrite the second step's
      // trustDevice flag and answer the password step with the challenge.
      secondStepPlugin(),
      // Hostile input and the app's session check run before better-auth's handlers.
      frontDoorPlugin(),
      // Support access: the rules around the admin plugin's impersonation endpoints, and what
      // a support session may not do (after the front door has checked the session is live).
      impersonationPlugin(),
      // Options a client passes to the OAuth endpoints that would weaken a rule: 400.
      oauthRulesPlugin(),
      // An authenticator-app code signs in once (after the front door's checks).
      totpReplayPlugin(),
      ...oidcPlugins(e),
      // Roles and bans: its session-create hook refuses a banned user on every way in.
      adminPlugin(),
      // Settles the session's ipAddress (the trusted client address) before the hooks below read it.
      clientAddressPlugin(),
      // Location and sign-in method on the row before the index plugin records it.
      signInContextPlugin(),
      sessionIndexPlugin(),
      // After the index plugin: its create.after has indexed the session before the alert.
      deviceIdentityPlugin({ onNewDevice: notifyNewDevice }),
      signOutGuardPlugin(),
      twoFactorPlugin(),
      // Passkeys (passkeys.ts): UV required, RP from APP_URL; the rules plugin refuses
      // unsafe options and others' passkey ids, records and emails changes.
      passkeyRulesPlugin(),
      passkeyPlugin(),
      failedSignInPlugin(),
      // Command-line tools and TVs: RFC 8628 device codes (device-flow.ts).
      deviceAuthorizationPlugin(),
      deviceFlowPlugin(),
      accountFlowsPlugin({
        // The deferred halves of sign-up and reset request: better-auth's own endpoints.
        signUp: (input, headers): Promise<unknown> => getAuth().api.signUpEmail({ body: input, headers }),
        requestPasswordReset: (body, headers): Promise<unknown> => getAuth().api.requestPasswordReset({ body, headers }),
        sendVerificationLink,
      }),
      ...(rateLimited ? [accountRateLimitPlugin(limiter), passwordAttemptLimitPlugin(limiter)] : []),
      nextCookies(),
    ],
  });
}

/**
 * better-auth, whose handler always sees the verified client address (client-ip.ts) and a
 * native client's bearer token as its session cookie, or refuses it (native-clients.ts).
 */
function createAuthWithClientAddress() {
  const auth = createAuth();
  const handler = auth.handler;
  auth.handler = async (request: Request) => {
    const native = withNativeCredential(request);
    return native instanceof Response ? native : handler(withClientAddress(native));
  };
  return auth;
}

export type Auth = ReturnType<typeof createAuth>;

const globalForAuth = globalThis as unknown as { __revocableAuth?: Auth };

export function getAuth(): Auth {
  globalForAuth.__revocableAuth ??= createAuthWithClientAddress();
  return globalForAuth.__revocableAuth;
}

export function resetAuthForTests(): void {
  globalForAuth.__revocableAuth = undefined;
}
