// The Resend path, end to end: the real SDK, pointed (RESEND_BASE_URL) at a local HTTP
// server on 127.0.0.1 that speaks Resend's API shape (POST /emails, Bearer key -> {id},
// errors as {statusCode, name, message}). Error answers are logged, never thrown.
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { resetEnvForTests } from "@/lib/env";
import { flushBackground } from "@/lib/background";
import { flushMail as flushMailOnly } from "@/lib/mail";
import { Browser, followVerificationLink, ORIGIN, outbox, PASSWORD, uniqueEmail } from "../support/browser";

const API_KEY = "re_test_0123456789abcdef";
const FROM = "Revocable Tests <security@revocable.test>";

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: { from?: string; to?: string | string[]; subject?: string; html?: string; text?: string; tags?: unknown };
  answeredAt?: number;
}

type Answer = { status: number; body: string | object; delayMs?: number };

/** A tiny Resend: validates like the real API, answers from a script, records everything. */
class FakeResend {
  readonly received: Received[] = [];
  /** Answers for the next requests, in order; afterwards every valid request gets 200 {id}. */
  script: Answer[] = [];
  private server = http.createServer((req, res) => void this.handle(req, res));
  private ids = 0;
  baseUrl = "";

  async start(): Promise<void> {
    this.server.listen(0, "127.0.0.1");
    await once(this.server, "listening");
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  to(address: string): Received[] {
    return this.received.filter((r) => [r.body.to].flat().includes(address));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    let body: Received["body"] = {};
    try {
      body = JSON.parse(raw) as Received["body"];
    } catch {
      /* answered below as a validation error */
    }
    const rec: Received = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
    this.received.push(rec);
    const answer = this.answerFor(req, body);
    if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
    rec.answeredAt = Date.now();
    const payload = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
    res.writeHead(answer.status, { "content-type": typeof answer.body === "string" ? "text/html" : "application/json" });
    res.end(payload);
  }

  private answerFor(req: http.IncomingMessage, body: Received["body"]): Answer {
    if (req.method !== "POST" || req.url !== "/emails") {
      return { status: 404, body: { statusCode: 404, name: "not_found", message: "The requested endpoint does not exist." } };
    }
    const auth = req.headers.authorization;
    if (!auth) return { status: 401, body: { statusCode: 401, name: "missing_api_key", message: "Missing API key in the authorization header." } };
    if (auth !== `Bearer ${API_KEY}`) return { status: 403, body: { statusCode: 403, name: "invalid_api_key", message: "API key is invalid" } };
    if (!body.from || !body.to || !body.subject || !(body.html || body.text)) {
      return { status: 422, body: { statusCode: 422, name: "validation_error", message: "Missing required fields." } };
    }
    const scripted = this.script.shift();
    if (scripted) return scripted;
    return { status: 200, body: { id: `fake-${++this.ids}` } };
  }
}

const fake = new FakeResend();
const saved = { ...process.env };

function useResend(overrides: Record<string, string> = {}) {
  Object.assign(process.env, { RESEND_API_KEY: API_KEY, RESEND_BASE_URL: fake.baseUrl, EMAIL_FROM: FROM, ...overrides });
  resetEnvForTests();
}

async function signUp(b: Browser, email: string) {
  const res = await b.auth("/sign-up/email", { email, password: PASSWORD, name: "Rhea Send" });
  expect(res.status).toBe(200);
  return res;
}

/** Sign-up and reset requests send their email from background work: wait for both. */
async function flushMail() {
  await flushBackground();
  await flushMailOnly();
}

function logLines(spy: { mock: { calls: unknown[][] } }): string[] {
  return spy.mock.calls.map((c) => c.map(String).join(" "));
}

beforeAll(async () => {
  await fake.start();
});

afterAll(async () => {
  for (const k of ["RESEND_API_KEY", "RESEND_BASE_URL", "EMAIL_FROM"]) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  resetEnvForTests();
  await fake.stop();
});

afterEach(() => {
  fake.script = [];
  vi.restoreAllMocks();
});

describe("delivery through Resend", () => {
  it("POSTs both parts to /emails with the Bearer key; the emailed link verifies; nothing in the outbox", async () => {
    useResend();
    const info = vi.spyOn(console, "info");
    const b = new Browser();
    const email = uniqueEmail("resend");
    await signUp(b, email);
    await flushMail();

    const [req, ...more] = fake.to(email);
    expect(more).toHaveLength(0);
    expect(req!.method).toBe("POST");
    expect(req!.url).toBe("/emails");
    expect(req!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(req!.headers["content-type"]).toMatch(/application\/json/);
    expect(req!.headers["idempotency-key"]).toMatch(/^verify-email\/[0-9a-f-]{36}$/);
    expect(req!.body.from).toBe(FROM);
    expect(req!.body.subject).toBe("Confirm your email address");
    expect(req!.body.tags).toEqual([{ name: "template", value: "verify-email" }]);

    const link = req!.body.text!.match(/https?:\/\/\S+\/api\/auth\/verify-email\?\S+/)?.[0];
    expect(link).toBeDefined();
    expect(req!.body.html).toContain(`href="${link!.replaceAll("&", "&amp;")}"`);
    expect(req!.body.text).toContain("expires in 24 hours");

    const url = new URL(link!);
    expect(url.origin).toBe(ORIGIN);
    const verify = await followVerificationLink(b, link!);
    expect(verify.confirm?.status).toBe(200);
    expect(b.signedIn()).toBe(true);
    await flushMail();
    expect(fake.to(email).map((r) => r.body.subject)).toEqual(["Confirm your email address", "Welcome to Revocable"]);

    expect((await outbox()).filter((m) => m.to === email)).toHaveLength(0);
    const lines = logLines(info);
    expect(lines.some((l) => l.startsWith(`[mail] resend: verify-email to ${email} sent (id fake-`))).toBe(true);
    // With a real provider the token-bearing link is never logged.
    expect(lines.join("\n")).not.toContain(url.searchParams.get("token")!);
  });

  it("does not hold up the HTTP response while the provider is slow", async () => {
    useResend();
    fake.script = [{ status: 200, body: { id: "slow-1" }, delayMs: 1_500 }];
    const email = uniqueEmail("slow");
    const started = Date.now();
    await signUp(new Browser(), email);
    const answeredAfter = Date.now() - started;
    expect(answeredAfter).toBeLessThan(1_000);
    await flushMail();
    const [req] = fake.to(email);
    expect(req!.answeredAt! - started).toBeGreaterThanOrEqual(1_500);
  });
});

describe("Resend's error answers are logged, never thrown", () => {
  it("422 validation_error: logged with its reason, not retried; sign-up answers 200", async () => {
    useResend();
    fake.script = [{ status: 422, body: { statusCode: 422, name: "validation_error", message: "Invalid `to` field." } }];
    const errors = vi.spyOn(console, "error");
    const email = uniqueEmail("r422");
    await signUp(new Browser(), email);
    await flushMail();
    expect(fake.to(email)).toHaveLength(1);
    expect(logLines(errors)).toContain(
      `[mail] resend: failed to send verify-email to ${email} after 1 attempt(s): 422 validation_error: Invalid \`to\` field.`,
    );
  });

  it.each([
    ["500 JSON", { status: 500, body: { statusCode: 500, name: "internal_server_error", message: "Something broke." } }, "500 internal_server_error: Something broke."],
    ["502 HTML from a proxy", { status: 502, body: "<html><body>Bad gateway</body></html>" }, "502 application_error"],
  ])("%s twice: retried once with the same Idempotency-Key, then logged", async (_label, answer, reason) => {
    useResend();
    fake.script = [answer, answer];
    const errors = vi.spyOn(console, "error");
    const email = uniqueEmail("r5xx");
    await signUp(new Browser(), email);
    await flushMail();
    const attempts = fake.to(email);
    expect(attempts).toHaveLength(2);
    expect(attempts[0]!.headers["idempotency-key"]).toBe(attempts[1]!.headers["idempotency-key"]);
    const line = logLines(errors).find((l) => l.includes(`failed to send verify-email to ${email}`));
    expect(line).toContain("after 2 attempt(s)");
    expect(line).toContain(reason);
  });

  it("a 500 then a 200: delivered on the retry", async () => {
    useResend();
    fake.script = [{ status: 500, body: { statusCode: 500, name: "internal_server_error", message: "Try again." } }];
    const info = vi.spyOn(console, "info");
    const errors = vi.spyOn(console, "error");
    const email = uniqueEmail("retry");
    await signUp(new Browser(), email);
    await flushMail();
    expect(fake.to(email)).toHaveLength(2);
    expect(logLines(info).some((l) => l.startsWith(`[mail] resend: verify-email to ${email} sent (id fake-`))).toBe(true);
    expect(logLines(errors).some((l) => l.includes(email))).toBe(false);
  });

  it("a wrong API key: 403 invalid_api_key logged", async () => {
    useResend({ RESEND_API_KEY: "re_wrong_key" });
    const errors = vi.spyOn(console, "error");
    const email = uniqueEmail("badkey");
    await signUp(new Browser(), email);
    await flushMail();
    expect(fake.to(email)[0]!.headers.authorization).toBe("Bearer re_wrong_key");
    expect(logLines(errors)).toContain(
      `[mail] resend: failed to send verify-email to ${email} after 1 attempt(s): 403 invalid_api_key: API key is invalid`,
    );
  });

  it("nobody listening: logged as no response; password reset still answers 200", async () => {
    const closed = http.createServer();
    closed.listen(0, "127.0.0.1");
    await once(closed, "listening");
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    useResend({ RESEND_BASE_URL: `http://127.0.0.1:${port}` });
    const errors = vi.spyOn(console, "error");

    const email = uniqueEmail("down");
    await signUp(new Browser(), email);
    await flushBackground(); // the account exists before its reset is requested
    const reset = await new Browser().auth("/request-password-reset", { email, redirectTo: "/reset-password" });
    expect(reset.status).toBe(200);
    await flushMail();
    const lines = logLines(errors);
    for (const template of ["verify-email", "password-reset"]) {
      const line = lines.find((l) => l.includes(`failed to send ${template} to ${email}`));
      expect(line).toContain("after 2 attempt(s): no response application_error");
    }
  });
});
