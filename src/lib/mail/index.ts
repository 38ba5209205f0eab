// Sends auth emails: renders them with React Email, then delivers through Resend when
// RESEND_API_KEY is set, or to the local outbox (OUTBOX_DIR + a log line) when it is not.
//
// Contract for callers (the better-auth callbacks): call without awaiting. Rendering and
// delivery run after the caller returns, so a slow provider never holds up the HTTP
// response; the returned promise never rejects, so a failed send can never fail the auth
// request. Failures are logged with their reason.
import { env } from "@/lib/env";
import { writeToOutbox } from "./outbox";
import { renderAuthEmail } from "./render";
import { sendWithResend } from "./resend";
import type { AuthEmail } from "./types";

export type { AuthEmail, AuthEmailTemplate, RenderedEmail, TimePreferences } from "./types";
export { renderAuthEmail } from "./render";

const inFlight = new Set<Promise<void>>();
let warnedNoProvider = false;

async function deliver(email: AuthEmail): Promise<void> {
  const e = env();
  const message = await renderAuthEmail(email, { locale: e.DEFAULT_LOCALE, timeZone: e.DEFAULT_TIME_ZONE });
  if (e.RESEND_API_KEY) {
    const result = await sendWithResend(message, { apiKey: e.RESEND_API_KEY, baseUrl: e.RESEND_BASE_URL, from: e.EMAIL_FROM });
    if (result.ok) {
      console.info(`[mail] resend: ${message.template} to ${message.to} sent (id ${result.id})`);
    } else {
      console.error(
        `[mail] resend: failed to send ${message.template} to ${message.to} after ${result.attempts} attempt(s): ` +
          `${result.status ?? "no response"} ${result.name}: ${result.message}`,
      );
    }
    return;
  }
  const production = e.NODE_ENV === "production";
  if (production && !warnedNoProvider) {
    warnedNoProvider = true;
    console.warn("[mail] RESEND_API_KEY is not set: emails are written to the outbox, not sent.");
  }
  // Action links carry one-time tokens: print them only where logs are a developer's terminal.
  await writeToOutbox(message, { dir: e.OUTBOX_DIR, from: e.EMAIL_FROM, logLink: !production });
}

/**
 * Renders and delivers one auth email. Never rejects: failures are logged. Callers should
 * not await it inside a request (`void sendAuthEmail(...)`).
 */
export function sendAuthEmail(email: AuthEmail): Promise<void> {
  const p: Promise<void> = deliver(email)
    .catch((err: unknown) => {
      console.error(`[mail] failed to send ${email.template} to ${email.to}: ${err instanceof Error ? err.message : String(err)}`);
    })
    .finally(() => inFlight.delete(p));
  inFlight.add(p);
  return p;
}

/** Resolves once every send started so far has finished (for shutdown and tests). */
export async function flushMail(): Promise<void> {
  while (inFlight.size) await Promise.all([...inFlight]);
}
