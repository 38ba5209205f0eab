// The offline transport: every message becomes three files in OUTBOX_DIR and one log line
// with its action link, so sign-up, verification and resets work without a mail provider.
//   <id>.html  the HTML part      <id>.txt  the plain-text part
//   <id>.json  the envelope {to, subject, template, link, sentAt, ...}, written last and
//              atomically (rename), so whoever sees the .json can read all three.
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { RenderedEmail } from "./types";

export interface OutboxEnvelope {
  id: string;
  transport: "outbox";
  from: string;
  to: string;
  subject: string;
  template: string;
  link: string;
  sentAt: string;
  html: string;
  text: string;
}

let sequence = 0;

/** Sortable by time (then by order within one process), unique across processes. */
function messageId(template: string): string {
  const seq = (sequence++ % 1_000_000).toString().padStart(6, "0");
  return `${Date.now()}-${seq}-${template}-${Math.random().toString(36).slice(2, 8)}`;
}

export async function writeToOutbox(
  message: RenderedEmail,
  opts: { dir: string; from: string; logLink: boolean },
): Promise<OutboxEnvelope> {
  const dir = path.resolve(opts.dir);
  await mkdir(dir, { recursive: true });
  const id = messageId(message.template);
  const envelope: OutboxEnvelope = {
    id,
    transport: "outbox",
    from: opts.from,
    to: message.to,
    subject: message.subject,
    template: message.template,
    link: message.link,
    sentAt: new Date().toISOString(),
    html: `${id}.html`,
    text: `${id}.txt`,
  };
  await Promise.all([
    writeFile(path.join(dir, envelope.html), message.html),
    writeFile(path.join(dir, envelope.text), message.text),
  ]);
  const json = path.join(dir, `${id}.json`);
  await writeFile(`${json}.tmp`, JSON.stringify(envelope, null, 2));
  await rename(`${json}.tmp`, json);
  const where = opts.logLink ? message.link : `(link in ${path.join(dir, envelope.text)})`;
  console.info(`[mail] outbox: ${message.template} to ${message.to}: ${where}`);
  return envelope;
}
