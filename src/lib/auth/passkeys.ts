// Passkeys (WebAuthn): better-auth's passkey plugin (@better-auth/passkey) under the app's
// rules (docs/passkeys.md):
//  - RP ID and origin come from APP_URL, never from the request (the plugin would take the
//    Origin header as the expected origin when none is configured).
//  - User verification (UV) is required, at registration and at every sign-in: a passkey
//    then proves possession and a PIN or biometric, two factors, which is why a passkey
//    sign-in skips the TOTP step. better-auth accepts an assertion without UV
//    (`requireUserVerification: false`); the plugin's afterVerification hooks refuse it
//    before any counter update or session.
//  - Another user's passkey id answers 404, as an unknown one (better-auth's ownership
//    check would answer 401, which a client reads as "signed out").
//  - Options a client could pass that weaken a rule are refused (`createSession`).
//  - Adding and removing a passkey is recorded (Recent activity) and emailed.
// The front door (front-door.ts) makes the sign-in endpoints public and every other one
// gated; adding and removing need a fresh sign-in there.
import type { BetterAuthPlugin } from "better-auth";
import { passkey } from "@better-auth/passkey";
import { APIError, createAuthMiddleware, getSessionFromCtx } from "better-auth/api";
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { passkey as passkeyTable } from "@/db/schema";
import { clientAddress } from "@/lib/client-address";
import { deviceOf } from "@/lib/device";
import { env } from "@/lib/env";
import { locate } from "@/lib/location";
import { sendAuthEmail } from "@/lib/mail";
import { recordSecurityEvent } from "@/lib/security/events";
import { accountLinks } from "./emails";

/** The sign-in endpoints (public: the assertion is the credential). */
export const PASSKEY_SIGN_IN_PATHS = ["/passkey/generate-authenticate-options", "/passkey/verify-authentication"] as const;
/** Endpoints that take a passkey id of the signed-in user. */
const OWNED_PASSKEY_PATHS = new Set(["/passkey/delete-passkey", "/passkey/update-passkey"]);

/** The relying party: APP_URL's host name is the RP ID, its origin the only accepted origin. */
export function relyingParty(appUrl: string = env().APP_URL): { rpID: string; origin: string } {
  const url = new URL(appUrl);
  return { rpID: url.hostname, origin: url.origin };
}

const uvRequired = () =>
  new APIError("BAD_REQUEST", {
    code: "USER_VERIFICATION_REQUIRED",
    message: "Your passkey did not confirm it was you (no PIN, fingerprint or face check). Use a passkey that asks for one.",
  });

/** better-auth's plugin, configured. */
export function passkeyPlugin() {
  const { rpID, origin } = relyingParty();
  return passkey({
    rpID,
    rpName: "Revocable",
    origin,
    // Discoverable ("Continue with a passkey" with no email typed) and verified.
    authenticatorSelection: { residentKey: "required", userVerification: "required" },
    registration: {
      afterVerification: async ({ verification }) => {
        if (!verification.registrationInfo?.userVerified) throw uvRequired();
      },
    },
    authentication: {
      afterVerification: async ({ verification }) => {
        if (!verification.authenticationInfo.userVerified) throw uvRequired();
      },
    },
  });
}

type Acting = { session: { id: string; userAgent?: string | null; ipAddress?: string | null; location?: string | null }; user: { id: string; email: string; name: string } };

/** A passkey was added or removed: Recent activity, and an email that is always sent. */
async function passkeyChanged(acting: Acting, change: "passkey-added" | "passkey-removed", passkeyName: string, headers: Headers | undefined) {
  const ip = acting.session.ipAddress || clientAddress(headers);
  const location = acting.session.ipAddress ? (acting.session.location ?? null) : await locate(ip);
  const userAgent = acting.session.userAgent ?? headers?.get("user-agent") ?? null;
  recordSecurityEvent({ userId: acting.user.id, type: change, sessionId: acting.session.id, userAgent, ipAddress: ip, location, detail: { passkeyName } });
  void sendAuthEmail({
    template: "second-factor-changed",
    to: acting.user.email,
    name: acting.user.name,
    at: new Date(),
    change,
    passkeyName,
    device: deviceOf(userAgent, ip, location),
    securitySettingsUrl: accountLinks().activeDevices,
  });
}

/** What a passkey is called where it has no name of its own. */
export const UNNAMED_PASSKEY = "Passkey";

/** Names of passkeys about to be removed, by request (read before the row is gone). */
const removing = new WeakMap<object, string>();

export const passkeyRulesPlugin = () =>
  ({
    id: "passkey-rules",
    hooks: {
      before: [
        {
          matcher: (ctx) => ctx.path === "/passkey/verify-registration",
          handler: createAuthMiddleware(async (ctx) => {
            // Would sign this browser in again with a session made outside every sign-in rule.
            if ((ctx.body as { createSession?: unknown } | undefined)?.createSession !== undefined) {
              throw new APIError("BAD_REQUEST", { code: "INVALID_INPUT", message: "createSession is not accepted." });
            }
          }),
        },
        {
          matcher: (ctx) => OWNED_PASSKEY_PATHS.has(ctx.path ?? ""),
          handler: createAuthMiddleware(async (ctx) => {
            const id = (ctx.body as { id?: unknown } | undefined)?.id;
            if (typeof id !== "string") return; // better-auth's schema answers 400
            const session = await getSessionFromCtx(ctx);
            if (!session) return; // the front door has already answered 401
            const [row] = await getDb().select({ userId: passkeyTable.userId, name: passkeyTable.name }).from(passkeyTable).where(eq(passkeyTable.id, id));
            // Someone else's passkey is as unknown as one that does not exist.
            if (!row || row.userId !== session.user.id) throw new APIError("NOT_FOUND", { code: "PASSKEY_NOT_FOUND", message: "That passkey does not exist (it may have been removed already)." });
            if (ctx.path === "/passkey/delete-passkey" && ctx.headers) removing.set(ctx.headers, row.name || UNNAMED_PASSKEY);
          }),
        },
      ],
      after: [
        {
          matcher: (ctx) => ctx.path === "/passkey/verify-registration" || ctx.path === "/passkey/delete-passkey",
          handler: createAuthMiddleware(async (ctx) => {
            const name = ctx.headers ? removing.get(ctx.headers) : undefined;
            if (ctx.headers) removing.delete(ctx.headers);
            const returned = ctx.context.returned;
            if (!returned || returned instanceof Error || returned instanceof Response) return;
            const acting = (ctx.context as { session?: Acting | null }).session;
            if (!acting?.session?.id) return;
            if (ctx.path === "/passkey/verify-registration") {
              const added = returned as { name?: string | null };
              await passkeyChanged(acting, "passkey-added", added.name || UNNAMED_PASSKEY, ctx.headers);
            } else if (name !== undefined) {
              await passkeyChanged(acting, "passkey-removed", name, ctx.headers);
            }
          }),
        },
      ],
    },
  }) satisfies BetterAuthPlugin;
