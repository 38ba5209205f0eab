// Sends auth emails. Without RESEND_API_KEY every message lands in the local outbox.
// Sending never throws into the auth flow that triggered it.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { env } from "@/lib/env";
import type { AuthEmail } from "./types";

export type { AuthEmail, DeviceDetails } from "./types";

function subjectOf(email: AuthEmail): string {
  switch (email.template) {
    case "verify-email":
      return "Verify your email address";
    case "password-reset":
      return "Reset your password";
    case "password-changed":
      return "Your password was changed";
    case "new-sign-in":
      return `New sign-in from ${email.device.label}`;
  }
}

function linkOf(email: AuthEmail): string {
  switch (email.template) {
    case "verify-email":
    case "password-reset":
      return email.url;
    case "password-changed":
      return email.secureAccountUrl;
    case "new-sign-in":
      return email.activeDevicesUrl;
  }
}

async function writeToOutbox(email: AuthEmail): Promise<void> {
  const dir = path.resolve(env().OUTBOX_DIR);
  await mkdir(dir, { recursive: true });
  const id = `${Date.now()}-${email.template}-${Math.random().toString(36).slice(2, 8)}`;
  const envelope = { to: email.to, subject: subjectOf(email), template: email.template, link: linkOf(email), sentAt: new Date().toISOString() };
  await writeFile(path.join(dir, `${id}.json`), JSON.stringify(envelope, null, 2));
  console.info(`[mail] outbox: ${email.template} to ${email.to}: ${linkOf(email)}`);
}

/** Queues an auth email; failures are logged, never thrown. */
export function sendAuthEmail(email: AuthEmail): Promise<void> {
  return writeToOutbox(email).catch((err: unknown) => {
    console.error(`[mail] failed to send ${email.template} to ${email.to}:`, (err as Error).message);
  });
}
