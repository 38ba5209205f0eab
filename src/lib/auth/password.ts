// Password confirmation for actions outside better-auth (ending other sessions), through
// better-auth's own verifyPassword so hashing and the account lookup stay in one place.
// Passed to lib/sessions by the route handler: sessions never import auth.
import { isOutage } from "@/lib/http/unavailable";
import { getAuth } from "./index";

/** True when `password` is the signed-in user's (the session comes from `headers`). */
export async function passwordMatches(password: string, headers: Headers): Promise<boolean> {
  try {
    await getAuth().api.verifyPassword({ body: { password }, headers });
    return true;
  } catch (err) {
    // Without Postgres the password cannot be checked: that is an outage (503), not a wrong password (403).
    if (await isOutage(err)) throw err;
    return false;
  }
}
