// The production transport: Resend's API through its SDK. The SDK answers errors as values
// ({ data, error }) rather than throwing; this module turns them into a result the caller
// logs. Transient failures (network, 429, 5xx) are retried once with the same
// Idempotency-Key, so a retry can never deliver the message twice.
import { randomUUID } from "node:crypto";
import { Resend } from "resend";
import type { RenderedEmail } from "./types";

export interface ResendConfig {
  apiKey: string;
  /** Overrides https://api.resend.com (RESEND_BASE_URL). */
  baseUrl?: string;
  from: string;
  /** Per attempt. */
  timeoutMs?: number;
  attempts?: number;
  retryDelayMs?: number;
}

export type ResendResult =
  | { ok: true; id: string; attempts: number }
  | { ok: false; status: number | null; name: string; message: string; attempts: number };

const clients = new Map<string, Resend>();

function client(apiKey: string, baseUrl: string | undefined): Resend {
  // The SDK joins baseUrl and "/emails" as strings: no trailing slash.
  const base = baseUrl?.replace(/\/+$/, "");
  const key = `${base ?? ""}\n${apiKey}`;
  let c = clients.get(key);
  if (!c) {
    c = new Resend(apiKey, base ? { baseUrl: base } : undefined);
    clients.set(key, c);
  }
  return c;
}

function isTransient(status: number | null): boolean {
  return status === null || status === 429 || status >= 500;
}

export async function sendWithResend(message: RenderedEmail, config: ResendConfig): Promise<ResendResult> {
  const attempts = Math.max(1, config.attempts ?? 2);
  const idempotencyKey = `${message.template}/${randomUUID()}`;
  const resend = client(config.apiKey, config.baseUrl);
  let last: Extract<ResendResult, { ok: false }> | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const { data, error } = await resend.emails.send(
      {
        from: config.from,
        to: message.to,
        subject: message.subject,
        html: message.html,
        text: message.text,
        tags: [{ name: "template", value: message.template.replace(/[^A-Za-z0-9_-]/g, "_") }],
      },
      { idempotencyKey, signal: AbortSignal.timeout(config.timeoutMs ?? 10_000) },
    );
    if (!error && data?.id) return { ok: true, id: data.id, attempts: attempt };
    last = error
      ? { ok: false, status: error.statusCode ?? null, name: error.name, message: error.message, attempts: attempt }
      : { ok: false, status: null, name: "invalid_response", message: "no id in Resend's answer", attempts: attempt };
    if (!isTransient(last.status) || attempt === attempts) break;
    await new Promise((r) => setTimeout(r, (config.retryDelayMs ?? 500) * attempt));
  }
  return last!;
}
