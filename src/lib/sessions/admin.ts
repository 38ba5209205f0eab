// Operator actions (scripts/sessions.ts): rebuild the index from Postgres, and end every
// session of one user (ASVS 7.4.5).
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { user as userTable } from "@/db/schema";
import { getSessionIndex } from "@/lib/session-index";
import { rebuildAllTags } from "./completeness";
import { revokeAllSessions } from "./lifecycle";
import { endDeviceTrust } from "@/lib/two-factor-trust";
import { generationEnded } from "./ended";

/**
 * Rebuilds the index from Postgres: drops this app's keys, then rebuilds every tag (its
 * live sessions, then its completeness marker). While it runs, requests for a tag not
 * rebuilt yet fall back to Postgres, so nobody is signed out; a session revoked meanwhile
 * is remembered as ended and not re-added.
 */
export async function reindexFromDatabase(batchSize = 500): Promise<{ sessions: number }> {
  await getSessionIndex().clear();
  const { sessions } = await rebuildAllTags({ batch: batchSize, force: true });
  return { sessions };
}

/** Ends all sessions of the user with this email; returns how many ended. */
export async function endAllSessionsOf(email: string): Promise<{ userId: string; ended: number } | null> {
  const [u] = await getDb().select({ id: userTable.id }).from(userTable).where(eq(userTable.email, email.toLowerCase()));
  if (!u) return null;
  const ended = await revokeAllSessions(u.id, null);
  await endDeviceTrust(u.id);
  generationEnded(u.id, "operator", ended);
  return { userId: u.id, ended };
}
