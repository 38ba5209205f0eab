// better-auth plugin that wires the account-flow rules into its endpoints:
//  - /sign-up/email and /request-password-reset answer from the input alone and do the
//    account work in the background (no enumeration by timing: uniform-answers.ts);
//  - a sign-up for an unverified address replaces the pending one (pending-signup.ts);
//  - /verify-email refuses links this app voided or never sent; a live one, opened by its
//    GET, only redirects to the confirmation page, and verifies (installing the credentials
//    of the sign-up it was sent for: pending-signup.ts) when POST /api/verify-email
//    confirms it, which signs in only a browser without a session (verification-confirm.ts);
//  - a password change voids the account's outstanding reset links (reset-tokens.ts;
//    a reset does the same in onPasswordReset).
import type { BetterAuthPlugin } from "better-auth";
import { APIError, createAuthEndpoint, createAuthMiddleware } from "better-auth/api";
import { setSessionCookie } from "better-auth/cookies";
import { z } from "zod";
import { safeNextPath } from "@/lib/safe-next";
import { checkVerificationLink, installLinkCredentials } from "./pending-signup";
import { voidResetLinks } from "./reset-tokens";
import { currentConfirmation, SIGN_IN_AFTER_VERIFICATION_PATH } from "./verification-confirm";
import {
  acceptableResetRequest,
  acceptableSignUp,
  deferResetRequest,
  deferSignUp,
  isDeferredCall,
  NEUTRAL_RESET_ANSWER,
  neutralSignUpAnswer,
  type DeferredAuthCalls,
} from "./uniform-answers";

const copyHeaders = (h: Headers | undefined) => (h ? new Headers(h) : undefined);

/** The app's confirmation page for a link; the callback (already a safe path: front door) rides along. */
function confirmationPage(token: string, callbackURL: unknown): string {
  const params = new URLSearchParams({ token });
  if (typeof callbackURL === "string" && callbackURL) params.set("callbackURL", safeNextPath(callbackURL, "/verify-email"));
  return `/verify-email?${params}`;
}

export const accountFlowsPlugin = (calls: DeferredAuthCalls) =>
  ({
    id: "account-flows",
    endpoints: {
      // better-auth's auto sign-in is off (it switched a signed-in browser to the link's
      // account). After a confirmed verification, POST /api/verify-email signs in a browser
      // that had no session through this endpoint: better-auth's own session and cookie
      // calls, as its auto sign-in makes them, inside an endpoint so the session hooks
      // (device cookie, sign-in context, index) see a full endpoint context. Server-only:
      // better-auth's router never serves it over HTTP, and it acts only inside the
      // confirmation that named this user.
      signInAfterVerification: createAuthEndpoint(
        SIGN_IN_AFTER_VERIFICATION_PATH,
        { method: "POST", body: z.object({ userId: z.string() }), metadata: { SERVER_ONLY: true } },
        async (ctx) => {
          const { userId } = ctx.body;
          if (currentConfirmation()?.signInUserId !== userId) throw new APIError("FORBIDDEN", { message: "Not part of a confirmed verification." });
          const found = await ctx.context.internalAdapter.findUserById(userId);
          if (!found?.emailVerified) throw new APIError("BAD_REQUEST", { message: "The address is not verified." });
          const session = await ctx.context.internalAdapter.createSession(userId);
          if (!session) throw new APIError("INTERNAL_SERVER_ERROR", { message: "Failed to create session" });
          await setSessionCookie(ctx, { session, user: found });
          return ctx.json({ signedIn: true });
        },
      ),
    },
    hooks: {
      before: [
        {
          matcher: (ctx) => ctx.path === "/sign-up/email" && !isDeferredCall(),
          handler: createAuthMiddleware(async (ctx) => {
            const input = acceptableSignUp(ctx.context, ctx.body);
            if (!input) return; // better-auth rejects it, from the input alone
            deferSignUp(ctx.context, input, copyHeaders(ctx.headers), calls);
            return ctx.json(neutralSignUpAnswer(ctx.context, input));
          }),
        },
        {
          matcher: (ctx) => ctx.path === "/request-password-reset" && !isDeferredCall(),
          handler: createAuthMiddleware(async (ctx) => {
            const body = acceptableResetRequest(ctx.context, ctx.body);
            if (!body) return;
            deferResetRequest(body, copyHeaders(ctx.headers), calls);
            return ctx.json(NEUTRAL_RESET_ANSWER);
          }),
        },
        {
          matcher: (ctx) => ctx.path === "/verify-email",
          handler: createAuthMiddleware(async (ctx) => {
            const token = typeof ctx.query?.token === "string" ? ctx.query.token : "";
            const link = await checkVerificationLink(token, ctx.context.secret);
            if (link.kind === "live") {
              // The link's GET (a person, a mail scanner, or a victim sent someone else's
              // link) changes nothing: it asks for a confirmation on the app's page.
              if (!currentConfirmation()) throw ctx.redirect(confirmationPage(token, ctx.query?.callbackURL));
              // Confirmed: it verifies with the password of the sign-up it was sent for.
              return installLinkCredentials(ctx.context, link.userId, link.credentials);
            }
            if (link.kind === "not-ours") return; // better-auth answers bad and expired JWTs itself
            // Same answers as better-auth's own INVALID_TOKEN; the callback is ours to check
            // here (this runs before better-auth's origin check).
            const callbackURL = typeof ctx.query?.callbackURL === "string" ? ctx.query.callbackURL : "";
            if (callbackURL) {
              const target = new URL(safeNextPath(callbackURL, "/verify-email"), ctx.context.baseURL);
              target.searchParams.set("error", "INVALID_TOKEN");
              throw ctx.redirect(target.pathname + target.search);
            }
            throw new APIError("UNAUTHORIZED", { code: "INVALID_TOKEN", message: "Invalid token" });
          }),
        },
      ],
      after: [
        {
          matcher: (ctx) => ctx.path === "/change-password",
          handler: createAuthMiddleware(async (ctx) => {
            const userId = ctx.context.session?.user.id;
            if (userId && !(ctx.context.returned instanceof Error)) await voidResetLinks(userId);
          }),
        },
      ],
    },
  }) satisfies BetterAuthPlugin;
