// Signing in a command-line tool or TV with a code: OAuth 2.0 Device Authorization Grant
// (RFC 8628), better-auth's device-authorization plugin, with the app's rules around it.
//
//  - Only the clients named here may ask for a code (validateClient).
//  - Codes live 10 minutes and are single use (the plugin consumes the row when it hands
//    out the session); polling faster than every 5 s answers `slow_down`, and the per-
//    address limits (rate-limit.ts) cap it too.
//  - The code's row keeps the requester's address and place, so the approval page (/device)
//    can name who is asking: a person approves a request they can see comes from
//    elsewhere. Approving needs a fresh sign-in (front-door.ts, FRESH_SIGN_IN_PATHS).
//  - The session the tool gets is a session like any other: created by better-auth's
//    adapter, so the database hooks index it, give it the sign-in method "device-code"
//    and the client's name as declared, and send the new-device email (the tool has no
//    device cookie: every device-code sign-in is a new device). Its access token is the
//    bearer token native clients use (lib/sessions/credential.ts).
import type { BetterAuthPlugin } from "better-auth";
import { createAuthMiddleware } from "better-auth/api";
import { deviceAuthorization } from "better-auth/plugins";
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { deviceCode } from "@/db/schema";
import { clientAddress } from "@/lib/client-address";
import { env } from "@/lib/env";
import { locate } from "@/lib/location";
import { bearerTokenOf } from "@/lib/sessions/credential";

/** Client ids allowed to ask for a code, and the name the account's owner sees. */
export const DEVICE_CLIENTS: Record<string, string> = {
  "revocable-cli": "Revocable CLI",
};

export const DEVICE_CODE_EXPIRES_IN = "10m";
export const DEVICE_POLL_INTERVAL = "5s";
export const DEVICE_PAGE = "/device";

export function deviceClientName(clientId: unknown): string | null {
  return typeof clientId === "string" && Object.hasOwn(DEVICE_CLIENTS, clientId) ? DEVICE_CLIENTS[clientId]! : null;
}

/** better-auth's plugin, configured. */
export const deviceAuthorizationPlugin = () =>
  deviceAuthorization({
    expiresIn: DEVICE_CODE_EXPIRES_IN,
    interval: DEVICE_POLL_INTERVAL,
    validateClient: (clientId) => deviceClientName(clientId) !== null,
    verificationUri: `${env().APP_URL}${DEVICE_PAGE}`,
  });

type Returned = Record<string, unknown>;
const asObject = (v: unknown): Returned | null => (v && typeof v === "object" && !(v instanceof Error) && !(v instanceof Response) ? (v as Returned) : null);

/** The app's side of the flow: where a code was asked from; the token as a bearer token. */
export const deviceFlowPlugin = () =>
  ({
    id: "device-flow",
    hooks: {
      after: [
        {
          matcher: (ctx) => ctx.path === "/device/code" || ctx.path === "/device/token",
          handler: createAuthMiddleware(async (ctx) => {
            const returned = asObject(ctx.context.returned);
            if (!returned) return;
            if (ctx.path === "/device/code" && typeof returned.user_code === "string") {
              const ip = clientAddress(ctx.request?.headers ?? ctx.headers);
              await getDb()
                .update(deviceCode)
                .set({ requesterIp: ip, requesterLocation: await locate(ip) })
                .where(eq(deviceCode.userCode, returned.user_code));
              return;
            }
            if (ctx.path === "/device/token" && typeof returned.access_token === "string") {
              return ctx.json({ ...returned, access_token: bearerTokenOf(returned.access_token) });
            }
          }),
        },
      ],
    },
  }) satisfies BetterAuthPlugin;

/** What the approval page shows of a code: null when there is no such live code. */
export interface DeviceRequest {
  userCode: string;
  clientName: string;
  requesterIp: string | null;
  requesterLocation: string | null;
  status: string;
  expiresAt: Date;
}

export async function deviceRequestOf(userCode: string): Promise<DeviceRequest | null> {
  const [row] = await getDb().select().from(deviceCode).where(eq(deviceCode.userCode, userCode)).limit(1);
  if (!row || row.expiresAt.getTime() <= Date.now()) return null;
  return {
    userCode: row.userCode,
    clientName: deviceClientName(row.clientId) ?? "Unknown client",
    requesterIp: row.requesterIp,
    requesterLocation: row.requesterLocation,
    status: row.status,
    expiresAt: row.expiresAt,
  };
}
