// Sign-in with GitHub, Google and one OpenID Connect provider (docs/oauth.md): which are
// configured, how better-auth is told about them, and the rules an OAuth sign-in obeys.
//
// Every provider goes through better-auth's own two endpoints, POST /sign-in/social (the
// redirect to the provider, with state, PKCE and, for OIDC, a nonce) and
// GET /api/auth/callback/<id> (the answer). The OIDC provider is a genericOAuth provider,
// which registers itself as a social provider: no endpoints of its own.
import type { BetterAuthOptions, BetterAuthPlugin } from "better-auth";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { genericOAuth } from "better-auth/plugins/generic-oauth";
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { account } from "@/db/schema";
import type { Env } from "@/lib/env";

export { configuredProviders, type OAuthProvider } from "./oauth-providers";

/** better-auth's `socialProviders`: GitHub and Google, where configured. */
export function socialProviders(e: Env): NonNullable<BetterAuthOptions["socialProviders"]> {
  return {
    ...(e.GITHUB_CLIENT_ID && e.GITHUB_CLIENT_SECRET ? { github: { clientId: e.GITHUB_CLIENT_ID, clientSecret: e.GITHUB_CLIENT_SECRET } } : {}),
    ...(e.GOOGLE_CLIENT_ID && e.GOOGLE_CLIENT_SECRET
      ? { google: { clientId: e.GOOGLE_CLIENT_ID, clientSecret: e.GOOGLE_CLIENT_SECRET, prompt: "select_account" as const } }
      : {}),
  };
}

/** The OIDC provider, where configured: discovered from its issuer, ID token verified. */
export function oidcPlugins(e: Env): BetterAuthPlugin[] {
  if (!e.OIDC_ISSUER || !e.OIDC_CLIENT_ID || !e.OIDC_CLIENT_SECRET) return [];
  const issuer = e.OIDC_ISSUER.replace(/\/+$/, "");
  return [
    genericOAuth({
      config: [
        {
          providerId: "oidc",
          name: e.OIDC_NAME,
          discoveryUrl: `${issuer}/.well-known/openid-configuration`,
          clientId: e.OIDC_CLIENT_ID,
          clientSecret: e.OIDC_CLIENT_SECRET,
          scopes: ["openid", "email", "profile"],
          pkce: true,
          // The ID token's signature, issuer, audience and nonce are checked against the
          // provider's published keys; a provider without them is skipped, not trusted.
          requireIdTokenVerification: true,
        },
      ],
    }) as BetterAuthPlugin,
  ];
}

/**
 * better-auth's `account` options. An OAuth identity joins an existing account only when
 * both addresses are verified (the provider asserts it, and the account's own was
 * confirmed) and they are the same address; no provider is trusted without asserting it.
 * Provider tokens are stored encrypted.
 */
export const ACCOUNT_OPTIONS = {
  encryptOAuthTokens: true,
  accountLinking: {
    enabled: true,
    trustedProviders: [],
    allowDifferentEmails: false,
    requireLocalEmailVerified: true,
    updateUserInfoOnLink: false,
  },
} satisfies BetterAuthOptions["account"];

/**
 * `user.validateUserInfo`: an OAuth identity creates an account, or joins one, only with
 * an address its provider asserts is verified (GitHub: its verified primary address;
 * Google and OIDC: the `email_verified` claim). A returning, already linked identity is
 * not re-checked: it is the credential.
 */
export const validateOAuthUserInfo: NonNullable<NonNullable<BetterAuthOptions["user"]>["validateUserInfo"]> = ({ user, source }) => {
  if (source.method !== "oauth" || source.action === "sign-in") return;
  if ((user as { emailVerified?: unknown }).emailVerified !== true) {
    return { error: "EMAIL_NOT_VERIFIED", errorDescription: "Your provider has not verified this email address." };
  }
};

/**
 * What a client may pass to each OAuth endpoint. Everything else is refused
 * (OPTION_NOT_ALLOWED): `idToken` signs in without state, PKCE or the redirect; `scopes`
 * asks the provider for more than the app needs; `additionalParams`, `loginHint`,
 * `additionalData` and `requestSignUp` change what the provider or the callback does.
 * `disableRedirect` only leaves the Location header out of the answer.
 */
const ALLOWED_OPTIONS: Record<string, ReadonlySet<string>> = {
  "/sign-in/social": new Set(["provider", "callbackURL", "errorCallbackURL", "newUserCallbackURL", "disableRedirect"]),
  "/link-social": new Set(["provider", "callbackURL", "errorCallbackURL", "disableRedirect"]),
  // better-auth's account row id (GET /list-accounts `id`).
  "/unlink-account": new Set(["accountId"]),
};

/** The account row is the password ("credential"), which only the password flows change. */
async function isPassword(accountId: string): Promise<boolean> {
  const [row] = await getDb().select({ providerId: account.providerId }).from(account).where(eq(account.id, accountId)).limit(1);
  return row?.providerId === "credential";
}

/** Refuses options that weaken the rules, and unlinking the password (not an OAuth account). */
export const oauthRulesPlugin = () =>
  ({
    id: "oauth-rules",
    hooks: {
      before: [
        {
          matcher: (ctx) => typeof ctx.path === "string" && Object.hasOwn(ALLOWED_OPTIONS, ctx.path),
          handler: createAuthMiddleware(async (ctx) => {
            const allowed = ALLOWED_OPTIONS[ctx.path]!;
            const body = ctx.body && typeof ctx.body === "object" ? (ctx.body as Record<string, unknown>) : {};
            const refused = Object.keys(body).filter((key) => !allowed.has(key));
            if (refused.length > 0) {
              throw new APIError("BAD_REQUEST", { code: "OPTION_NOT_ALLOWED", message: `Not accepted here: ${refused.join(", ")}.` });
            }
            if (ctx.path === "/unlink-account" && typeof body.accountId === "string" && (await isPassword(body.accountId))) {
              throw new APIError("BAD_REQUEST", { code: "OPTION_NOT_ALLOWED", message: "The password is not a linked account." });
            }
          }),
        },
      ],
    },
  }) satisfies BetterAuthPlugin;
