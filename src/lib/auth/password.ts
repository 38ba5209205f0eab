// Password confirmation for actions outside better-auth (ending other sessions), through
// better-auth's own verifyPassword so hashing and the account lookup stay in one place.
// Passed to lib/sessions by the route handler: sessions never import auth.
import { isOutage } from "@/lib/http/unavailable";
import { getAuth } from "./index";

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
