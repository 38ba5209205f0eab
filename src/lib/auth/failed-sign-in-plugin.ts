// better-auth plugin, one concern: failed sign-ins of an existing account go to its
// security history, aggregated (lib/security/events.ts: one row per burst, with a count).
// Runs after better-auth has answered 401; the account look-up happens in the background,
// for every 401 alike, so the answer's timing does not depend on whether the address is
// registered. Unknown addresses record nothing (there is no account to show it to).
// Attempts the per-account limit refused (429, rate-limit.ts) are counted on the same row,
// which then says further attempts were blocked: the owner sees the lockout and its cause.
import type { BetterAuthPlugin } from "better-auth";
import { createAuthMiddleware } from "better-auth/api";
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { user as userTable } from "@/db/schema";
import { runInBackground } from "@/lib/background";
import { writeFailedSignIn } from "@/lib/security/events";
import { clientAddress } from "@/lib/client-address";
import { locate } from "@/lib/location";

const statusOf = (returned: unknown): number | undefined =>
  returned instanceof Error ? (returned as { statusCode?: number }).statusCode : undefined;

/** Counts a failed (or, `blocked`, refused) sign-in to `email` in its account's history, after the answer. */
export function noteFailedSignIn(email: string, headers: Headers | undefined, blocked = false): void {
  const at = new Date();
  const userAgent = headers?.get("user-agent") ?? null;
  const ipAddress = clientAddress(headers);
  runInBackground("failed sign-in event", async () => {
    const [u] = await getDb().select({ id: userTable.id }).from(userTable).where(eq(userTable.email, email));
    if (u) await writeFailedSignIn({ userId: u.id, at, userAgent, ipAddress, location: await locate(ipAddress), blocked });
  });
}

export const failedSignInPlugin = () =>
  ({
    id: "failed-sign-in",
    hooks: {
      after: [
        {
          matcher: (ctx) => ctx.path === "/sign-in/email",
          handler: createAuthMiddleware(async (ctx) => {
            if (statusOf(ctx.context.returned) !== 401) return;
            const email = typeof ctx.body?.email === "string" ? ctx.body.email.trim().toLowerCase() : "";
            if (email) noteFailedSignIn(email, ctx.request?.headers ?? ctx.headers);
          }),
        },
      ],
    },
  }) satisfies BetterAuthPlugin;
