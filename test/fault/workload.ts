// The workload's side of the conversation with the app: users (created in Postgres, as the
// bench does, so no sign-up email round trip), sessions signed in over HTTP (so every hook
// runs), requests with a session's cookie, and the revocations. Every answer is recorded for
// the checker: requests with their instance, session, start, end and status; revocations the
// app acknowledged with the sessions they ended. An operation whose answer was lost (instance
// killed, timeout, 5xx) may or may not have happened: the sessions it might have ended are
// "maybe", left out of the liveness check and never counted as acknowledged.
import { randomBytes } from "node:crypto";
import { hashPassword } from "better-auth/crypto";
import pg from "pg";
import type { AcknowledgedRevocation, AnsweredRequest, RevocationKind } from "./checker";
import type { AppInstance } from "./fleet";

const UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const REQUEST_TIMEOUT_MS = 8_000;

export interface TrackedUser {
  key: string;
  email: string;
  password: string;
  /** False once a password change's answer was lost: its password is then unknown. */
  passwordKnown: boolean;
  sessions: TrackedSession[];
}

export interface TrackedSession {
  key: string;
  user: TrackedUser;
  cookie: string;
  /** The session id (GET /api/sessions, isCurrent), once known. */
  id: string | null;
  /** live: never revoked; ended: a revocation of it was acknowledged; maybe: an operation
   *  that could have ended it lost its answer. */
  state: "live" | "ended" | "maybe";
}

interface Answer {
  status: number; // 0: no answer (connection refused or reset, timeout)
  body: unknown;
  setCookies: string[];
}

export class Recorder {
  readonly requests: AnsweredRequest[] = [];
  readonly revocations: AcknowledgedRevocation[] = [];
  readonly operations = new Map<string, number>();
  readonly outcomes = new Map<string, number>();
  schedule = 0;

  count(kind: string, status: number): void {
    this.operations.set(kind, (this.operations.get(kind) ?? 0) + 1);
    const k = `${kind} ${status || "no answer"}`;
    this.outcomes.set(k, (this.outcomes.get(k) ?? 0) + 1);
  }
}

async function call(inst: AppInstance, pathname: string, init: { method?: string; cookie?: string; body?: unknown } = {}): Promise<Answer> {
  const headers: Record<string, string> = { "user-agent": UA, origin: inst.url };
  if (init.cookie) headers.cookie = init.cookie;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  try {
    const res = await fetch(`${inst.url}${pathname}`, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      redirect: "manual",
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body, setCookies: res.headers.getSetCookie() };
  } catch {
    return { status: 0, body: null, setCookies: [] };
  }
}

/** The cookies a response sets (name=value), joined for a Cookie header; "" if none. */
function cookiesFrom(setCookies: string[]): string {
  return setCookies
    .map((line) => line.split(";")[0]!.trim())
    .filter((pair) => pair.slice(pair.indexOf("=") + 1) !== "")
    .join("; ");
}

export class Workload {
  private userCount = 0;
  private sessionCount = 0;

  constructor(
    private readonly databaseUrl: string,
    readonly rec: Recorder,
  ) {}

  /** `n` users with verified email and a password, straight into Postgres (as bench/ does). */
  async createUsers(n: number, tag: string): Promise<TrackedUser[]> {
    const password = "fault suite password 1234";
    const hash = await hashPassword(password);
    const client = new pg.Client({ connectionString: this.databaseUrl });
    await client.connect();
    try {
      const users: TrackedUser[] = [];
      for (let i = 0; i < n; i++) {
        const id = randomBytes(12).toString("base64url");
        const key = `${tag}u${this.userCount++}`;
        const email = `${key}-${randomBytes(3).toString("hex")}@fault.invalid`.toLowerCase();
        await client.query(`insert into "user" (id, name, email, email_verified) values ($1, $2, $3, true)`, [id, key, email]);
        await client.query(`insert into account (id, account_id, provider_id, user_id, password) values ($1, $2, 'credential', $2, $3)`, [
          randomBytes(12).toString("base64url"),
          id,
          hash,
        ]);
        users.push({ key, email, password, passwordKnown: true, sessions: [] });
      }
      return users;
    } finally {
      await client.end();
    }
  }

  /** A request with the session's cookie to a protected API, recorded for the checker. */
  async probe(s: TrackedSession, inst: AppInstance): Promise<number> {
    const start = performance.now();
    const res = await call(inst, "/api/sessions", { cookie: s.cookie });
    const end = performance.now();
    this.rec.count("request", res.status);
    if (res.status !== 0) {
      this.rec.requests.push({ schedule: this.rec.schedule, instance: inst.name, session: s.key, start, end, status: res.status });
    }
    if (res.status === 200 && s.id === null) {
      const current = (res.body as { sessions?: { id: string; isCurrent: boolean }[] }).sessions?.find((x) => x.isCurrent);
      if (current) s.id = current.id;
    }
    return res.status;
  }

  async signIn(user: TrackedUser, inst: AppInstance): Promise<TrackedSession | null> {
    if (!user.passwordKnown) return null;
    const res = await call(inst, "/api/auth/sign-in/email", { body: { email: user.email, password: user.password } });
    this.rec.count("sign-in", res.status);
    const cookie = cookiesFrom(res.setCookies);
    if (res.status !== 200 || !cookie) return null;
    return this.track(user, cookie, inst);
  }

  private async track(user: TrackedUser, cookie: string, inst: AppInstance): Promise<TrackedSession> {
    const s: TrackedSession = { key: `${user.key}s${this.sessionCount++}`, user, cookie, id: null, state: "live" };
    user.sessions.push(s);
    await this.probe(s, inst); // learns its id (when the instance can answer now)
    return s;
  }

  private acknowledge(kind: RevocationKind, inst: AppInstance, actor: TrackedSession, ended: TrackedSession[]): void {
    for (const s of ended) s.state = "ended";
    this.rec.revocations.push({ schedule: this.rec.schedule, kind, instance: inst.name, actor: actor.key, at: performance.now(), ended: ended.map((s) => s.key) });
  }

  /** Lost answer: whatever the operation could have ended may or may not be ended. */
  private uncertain(sessions: TrackedSession[]): void {
    for (const s of sessions) if (s.state === "live") s.state = "maybe";
  }

  private static applied(status: number): "yes" | "no" | "unknown" {
    if (status === 200) return "yes";
    if (status >= 400 && status < 500) return "no";
    return "unknown";
  }

  async revokeOne(actor: TrackedSession, target: TrackedSession, inst: AppInstance): Promise<number> {
    const res = await call(inst, "/api/sessions/revoke", { cookie: actor.cookie, body: { sessionId: target.id } });
    this.rec.count("revoke-one", res.status);
    const applied = Workload.applied(res.status);
    if (applied === "yes") this.acknowledge("revoke-one", inst, actor, [target]);
    else if (applied === "unknown") this.uncertain([target]);
    return res.status;
  }

  /** Every other session of the user; with the password (else the actor's fresh sign-in counts). */
  async revokeAll(actor: TrackedSession, inst: AppInstance, withPassword: boolean): Promise<number> {
    const others = actor.user.sessions.filter((s) => s !== actor && s.state !== "ended");
    const body = withPassword && actor.user.passwordKnown ? { all: true, password: actor.user.password } : { all: true };
    const res = await call(inst, "/api/sessions/revoke", { cookie: actor.cookie, body });
    this.rec.count("revoke-all", res.status);
    const applied = Workload.applied(res.status);
    if (applied === "yes") this.acknowledge("revoke-all", inst, actor, others);
    else if (applied === "unknown") this.uncertain(others);
    return res.status;
  }

  async signOut(actor: TrackedSession, inst: AppInstance): Promise<number> {
    const res = await call(inst, "/api/auth/sign-out", { cookie: actor.cookie, body: {} });
    this.rec.count("sign-out", res.status);
    const applied = Workload.applied(res.status);
    if (applied === "yes") this.acknowledge("sign-out", inst, actor, [actor]);
    else if (applied === "unknown") this.uncertain([actor]);
    return res.status;
  }

  /** Ends every session of the user, the actor's included; the actor gets a new one. */
  async changePassword(actor: TrackedSession, inst: AppInstance): Promise<number> {
    const user = actor.user;
    if (!user.passwordKnown) return 0;
    const all = user.sessions.filter((s) => s.state !== "ended");
    const newPassword = `fault suite password ${randomBytes(4).toString("hex")}`;
    const res = await call(inst, "/api/auth/change-password", {
      cookie: actor.cookie,
      body: { currentPassword: user.password, newPassword, revokeOtherSessions: true },
    });
    this.rec.count("password-change", res.status);
    const applied = Workload.applied(res.status);
    if (applied === "yes") {
      user.password = newPassword;
      this.acknowledge("password-change", inst, actor, all);
      const cookie = cookiesFrom(res.setCookies);
      if (cookie) await this.track(user, cookie, inst);
    } else if (applied === "unknown") {
      user.passwordKnown = false;
      this.uncertain(all);
    }
    return res.status;
  }
}
