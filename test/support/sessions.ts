// Reading both stores for assertions: what Postgres holds and what the index holds.
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { session, user } from "@/db/schema";
import { getSessionIndex, hashToken, tagOfToken } from "@/lib/session-index";
import { sessionCookieName, verifySessionCookie } from "@/lib/sessions/cookie";
import { flushBackground } from "@/lib/background";
import { restoreSession } from "@/lib/sessions/lifecycle";
import { flushRepairs, scheduleRepairs } from "@/lib/sessions/repairs";
import { checkSessionToken, type SessionCheck } from "@/lib/sessions/validate";
import { Browser, signIn, signUpVerified, UA } from "./browser";

export async function userIdOf(email: string): Promise<string> {
  const [u] = await getDb().select({ id: user.id }).from(user).where(eq(user.email, email));
  if (!u) throw new Error(`no user ${email}`);
  return u.id;
}

export function tokenOf(browser: Browser): string {
  const token = verifySessionCookie(browser.cookies.get(sessionCookieName()));
  if (!token) throw new Error("browser has no valid session cookie");
  return token;
}

export async function sessionIdOf(browser: Browser): Promise<string> {
  const entry = await getSessionIndex().lookup(tagOfToken(tokenOf(browser)), hashToken(tokenOf(browser)));
  if (!entry) throw new Error("session not in index");
  return entry.sessionId;
}

export async function pgSessionIds(userId: string): Promise<string[]> {
  const rows = await getDb().select({ id: session.id }).from(session).where(eq(session.userId, userId));
  return rows.map((r) => r.id).sort();
}

export async function indexSessionIds(userId: string): Promise<string[]> {
  return (await getSessionIndex().list(userId)).map((s) => s.sessionId).sort();
}

/** Both stores, for "Postgres and Redis agree" assertions. */
export async function bothStores(userId: string) {
  return { postgres: await pgSessionIds(userId), redis: await indexSessionIds(userId) };
}

/**
 * Lets real time pass, for what depends on the clock itself (a breaker cooldown, a TTL).
 * Never for background writes: those are awaited with flushRepairs().
 */
/** Moves a session's sign-in back by `ms` in both stores (its row, and the index value the
 *  proxy's verdict carries it from), as if it had signed in that long ago. */
export async function backdateSignIn(sessionId: string, ms: number): Promise<void> {
  const [row] = await getDb().update(session).set({ createdAt: new Date(Date.now() - ms) }).where(eq(session.id, sessionId)).returning();
  if (!row || !(await restoreSession(row))) throw new Error(`could not backdate session ${sessionId}`);
}

export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The per-request check as the proxy runs it, with its repairs applied before returning. */
export async function checkAndRepair(token: string, now?: number): Promise<SessionCheck> {
  const check = await checkSessionToken(token, now);
  scheduleRepairs(check.repairs);
  await flushRepairs();
  await flushBackground(); // the history row of a session the repair ended
  return check;
}

/** One user signed in on `n` devices (distinct user agents), their writes applied. */
export async function userWithDevices(n: number) {
  const agents = [UA.macChrome, UA.iphoneSafari, UA.windowsFirefox, UA.androidChrome];
  const first = new Browser(agents[0]);
  const { email } = await signUpVerified(first);
  const browsers = [first];
  for (let i = 1; i < n; i++) {
    const b = new Browser(agents[i % agents.length]);
    await signIn(b, email);
    browsers.push(b);
  }
  await flushRepairs();
  return { email, userId: await userIdOf(email), browsers };
}
