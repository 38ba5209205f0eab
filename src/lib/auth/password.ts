// Password confirmation for actions outside better-auth (ending other sessions), through
// better-auth's own verifyPassword so hashing and the account lookup stay in one place.
// Passed to lib/sessions by the route handler: sessions never import auth.
import { and, eq, isNotNull } from "drizzle-orm";
import { getDb } from "@/db";
import { account } from "@/db/schema";
import { isOutage } from "@/lib/http/unavailable";
import { getAuth } from "./index";

/**
 * Whether the user has a password to confirm with. An account made through a provider has
 * none (no credential row) until a reset link sets one; it confirms with a fresh sign-in.
 */
export async function hasPassword(userId: string): Promise<boolean> {
  const rows = await getDb()
    .select({ id: account.id })
    .from(account)
    .where(and(eq(account.userId, userId), eq(account.providerId, "credential"), isNotNull(account.password)))
    .limit(1);
  return rows.length > 0;
}

/**
 * Whether `password` is the signed-in user's (the session comes from `headers`). The call
 * passes better-auth's hooks, so it is limited per client and per account like sign-in:
 * "limited" when the limiter refused it.
 */
export async function passwordMatches(password: string, headers: Headers): Promise<"match" | "mismatch" | "limited"> {
  try {
    await getAuth().api.verifyPassword({ body: { password }, headers });
    return "match";
  } catch (err) {
    // Without Postgres the password cannot be checked: that is an outage (503), not a wrong password (403).
    if (await isOutage(err)) throw err;
    return (err as { statusCode?: number }).statusCode === 429 ? "limited" : "mismatch";
  }
}
