// Revocable's command-line client: signs in with a device code (RFC 8628) and then uses its
// own session like any device, listed in Active devices and revocable from there.
//   npm run cli -- login      show a code and a URL; approve in the browser; keep the session
//   npm run cli -- whoami     the account this session belongs to
//   npm run cli -- sessions   the account's devices (this one marked)
//   npm run cli -- logout     end this session and forget it
// Server: REVOCABLE_URL (default http://localhost:3000). The token is kept in
// $REVOCABLE_CONFIG_DIR or <config dir>/revocable/token, readable by this user only (0600).
// Exit codes: 0 done, 1 failed, 2 usage, 3 not signed in (no session, or it was ended).
// Talks HTTP only: no app module is imported, as a tool on another machine would not have them.
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

const CLIENT_ID = "revocable-cli";
const GRANT = "urn:ietf:params:oauth:grant-type:device_code";
const EXIT = { ok: 0, failed: 1, usage: 2, signedOut: 3 } as const;

const baseUrl = (process.env.REVOCABLE_URL ?? "http://localhost:3000").replace(/\/+$/, "");

function configDir(): string {
  if (process.env.REVOCABLE_CONFIG_DIR) return process.env.REVOCABLE_CONFIG_DIR;
  const root = process.platform === "win32" ? (process.env.APPDATA ?? os.homedir()) : (process.env.XDG_CONFIG_HOME ?? path.join(os.homedir(), ".config"));
  return path.join(root, "revocable");
}
const tokenFile = () => path.join(configDir(), "token");

async function readToken(): Promise<string | null> {
  try {
    return (await readFile(tokenFile(), "utf8")).trim() || null;
  } catch {
    return null;
  }
}

async function saveToken(token: string): Promise<void> {
  await mkdir(configDir(), { recursive: true, mode: 0o700 });
  await writeFile(tokenFile(), `${token}\n`, { mode: 0o600 });
}

class SignedOut extends Error {}

async function call(pathname: string, init: { method?: string; body?: unknown; token?: string | null } = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  return fetch(`${baseUrl}${pathname}`, { method: init.method ?? (init.body === undefined ? "GET" : "POST"), headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
}

/** A call with the stored session; a 401 means the session is over (revoked, idle, expired). */
async function withSession(pathname: string, init: { method?: string; body?: unknown } = {}): Promise<Response> {
  const token = await readToken();
  if (!token) throw new SignedOut("Not signed in. Run `npm run cli -- login`.");
  const res = await call(pathname, { ...init, token });
  if (res.status === 401) {
    await rm(tokenFile(), { force: true });
    throw new SignedOut("Your session has ended: it was signed out or revoked (for example from Active devices). Run `npm run cli -- login` to sign in again.");
  }
  if (!res.ok) throw new Error(`${pathname} answered ${res.status}: ${await res.text()}`);
  return res;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function login(): Promise<number> {
  const res = await call("/api/auth/device/code", { body: { client_id: CLIENT_ID } });
  if (!res.ok) throw new Error(`could not get a code (${res.status}): ${await res.text()}`);
  const codes = (await res.json()) as { device_code: string; user_code: string; verification_uri: string; verification_uri_complete: string; expires_in: number; interval: number };
  console.log(`To sign in, open ${codes.verification_uri} and enter the code ${codes.user_code}`);
  console.log(`(or open ${codes.verification_uri_complete})`);
  console.log(`The code expires in ${Math.round(codes.expires_in / 60)} minutes. Waiting for approval…`);
  let interval = Math.max(1, codes.interval) * 1000;
  const deadline = Date.now() + codes.expires_in * 1000;
  while (Date.now() < deadline) {
    await sleep(interval);
    const poll = await call("/api/auth/device/token", { body: { grant_type: GRANT, device_code: codes.device_code, client_id: CLIENT_ID } });
    const body = (await poll.json().catch(() => ({}))) as { access_token?: string; error?: string; error_description?: string };
    if (poll.ok && body.access_token) {
      await saveToken(body.access_token);
      const me = (await (await withSession("/api/auth/get-session")).json()) as { user?: { email?: string } };
      console.log(`Signed in as ${me.user?.email ?? "?"}. This terminal is listed in Active devices as "Revocable CLI".`);
      return EXIT.ok;
    }
    if (body.error === "authorization_pending") continue;
    if (body.error === "slow_down") {
      interval += 5_000; // RFC 8628 §3.5
      continue;
    }
    if (poll.status === 429) {
      interval += Number(poll.headers.get("retry-after") ?? 5) * 1000;
      continue;
    }
    console.error(body.error === "access_denied" ? "The request was denied." : body.error === "expired_token" ? "The code expired. Run login again." : `Sign-in failed: ${body.error_description ?? body.error ?? poll.status}`);
    return EXIT.failed;
  }
  console.error("The code expired. Run login again.");
  return EXIT.failed;
}

interface SessionRow {
  id: string;
  label: string;
  declaredClient: string | null;
  ipAddress: string | null;
  location: string | null;
  lastActiveAt: string;
  isCurrent: boolean;
}

async function main(command: string | undefined): Promise<number> {
  switch (command) {
    case "login":
      return login();
    case "whoami": {
      const me = (await (await withSession("/api/auth/get-session")).json()) as { user: { email: string; name: string } };
      console.log(`${me.user.name} <${me.user.email}>`);
      return EXIT.ok;
    }
    case "sessions": {
      const { sessions } = (await (await withSession("/api/sessions")).json()) as { sessions: SessionRow[] };
      for (const s of sessions) {
        const name = s.declaredClient ? `${s.declaredClient} (declared)` : s.label;
        const where = [s.ipAddress, s.location].filter(Boolean).join(", ");
        console.log(`${s.isCurrent ? "*" : " "} ${name}${where ? ` — ${where}` : ""} — last active ${s.lastActiveAt}`);
      }
      return EXIT.ok;
    }
    case "logout": {
      await withSession("/api/auth/sign-out", { method: "POST", body: {} });
      await rm(tokenFile(), { force: true });
      console.log("Signed out.");
      return EXIT.ok;
    }
    default:
      console.error("usage: npm run cli -- login | whoami | sessions | logout");
      return EXIT.usage;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(err instanceof SignedOut ? EXIT.signedOut : EXIT.failed);
  },
);
