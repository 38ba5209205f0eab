// better-auth's /sign-out logs a failed delete and answers 200 with the cookie cleared
// anyway (and with Postgres down its delete finds nothing to delete): the browser then
// believes it signed out while the session stays valid. This plugin ends the session
// first, confirms Postgres no longer holds it, and otherwise refuses with 503 before
// the endpoint runs, so no success is claimed and no cookie is cleared.
import type { BetterAuthPlugin } from "better-auth";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { session as sessionTable } from "@/db/schema";
import { notePostgresDown } from "@/lib/health/postgres";
import { RETRY_AFTER_SECONDS } from "@/lib/http/unavailable";

function notEnded(): APIError {
  return new APIError(
    "SERVICE_UNAVAILABLE",
    { code: "unavailable", message: "Sign-out could not be completed right now; you are still signed in. Please try again shortly." },
    { "Retry-After": String(RETRY_AFTER_SECONDS) },
  );
}

async function stillStored(token: string): Promise<boolean> {
  try {
    const [row] = await getDb().select({ id: sessionTable.id }).from(sessionTable).where(eq(sessionTable.token, token)).limit(1);
    return !!row;
  } catch {
    notePostgresDown();
    throw notEnded();
  }
}

export const signOutGuardPlugin = () =>
  ({
    id: "sign-out-guard",
    hooks: {
      before: [
        {
          matcher: (ctx) => ctx.path === "/sign-out",
          handler: createAuthMiddleware(async (ctx) => {
            const token = await ctx.getSignedCookie(ctx.context.authCookies.sessionToken.name, ctx.context.secret);
            if (!token) return; // nothing to end: the endpoint just clears the cookie
            // better-auth's own delete, so its hooks (index removal, metrics) run as usual.
            await ctx.context.internalAdapter.deleteSession(token);
            if (await stillStored(token)) throw notEnded();
          }),
        },
      ],
    },
  }) satisfies BetterAuthPlugin;
