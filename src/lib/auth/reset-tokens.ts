// Password-reset links are rows in better-auth's verification table (identifier
// "reset-password:<token>", value = the user's id). better-auth consumes only the link
// that was used; every other link of the account stays valid for its full hour. Once the
// password has been reset or changed, those links are stale: a mailbox read later (or by
// someone else) must not be able to set the password again.
import { and, eq, like } from "drizzle-orm";
import { getDb } from "@/db";
import { verification } from "@/db/schema";

export const RESET_IDENTIFIER_PREFIX = "reset-password:";

/** Deletes every outstanding reset link of the user; returns how many there were. */
export async function voidResetLinks(userId: string): Promise<number> {
  const rows = await getDb()
    .delete(verification)
    .where(and(eq(verification.value, userId), like(verification.identifier, `${RESET_IDENTIFIER_PREFIX}%`)))
    .returning({ id: verification.id });
  return rows.length;
}
