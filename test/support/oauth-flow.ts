// The OAuth redirect chain over HTTP, as a browser would walk it: the app's start endpoint,
// the provider's pages (with the provider's own cookie jar), then the app's callback.
import { Browser, ORIGIN } from "./browser";

class Jar {
  private readonly cookies = new Map<string, string>();
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
  absorb(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(";", 1)[0]!;
      const eq = pair.indexOf("=");
      const value = pair.slice(eq + 1).trim();
      if (value === "" || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(pair.slice(0, eq).trim());
      else this.cookies.set(pair.slice(0, eq).trim(), value);
    }
  }
}

/** POST /sign-in/social or /link-social: the provider's authorization URL (throws otherwise). */
export async function startOAuth(b: Browser, path: "/sign-in/social" | "/link-social", body: Record<string, unknown>): Promise<URL> {
  const res = await b.auth(path, body);
  if (res.status !== 200) throw new Error(`${path} answered ${res.status} ${await res.text()}`);
  return new URL(((await res.json()) as { url: string }).url);
}

/**
 * A person at the provider: follows its redirects, signs in as `login` on its page (or
 * presses Cancel), and returns the URL the provider sends the browser back to the app with.
 */
export async function atProvider(authorizationUrl: URL, action: { login: string } | "cancel"): Promise<URL> {
  const jar = new Jar();
  let url = authorizationUrl;
  let init: RequestInit = {};
  for (let hop = 0; hop < 15; hop++) {
    const res = await fetch(url, { ...init, redirect: "manual", headers: { ...(init.headers as Record<string, string>), cookie: jar.header() } });
    jar.absorb(res);
    const location = res.headers.get("location");
    if (location) {
      const next = new URL(location, url);
      if (next.origin === ORIGIN) return next;
      url = next;
      init = {};
      continue;
    }
    if (res.status !== 200 || !/^\/interaction\//.test(url.pathname)) throw new Error(`provider answered ${res.status} at ${url}: ${await res.text()}`);
    await res.text();
    const uid = url.pathname.split("/")[2]!;
    url = new URL(`/interaction/${uid}/${action === "cancel" ? "abort" : "login"}`, url);
    init = {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: action === "cancel" ? "" : new URLSearchParams({ login: action.login }).toString(),
    };
  }
  throw new Error("too many redirects at the provider");
}

/** The provider's redirect back, delivered to the app's callback by browser `b`. */
export async function callback(b: Browser, back: URL): Promise<{ res: Response; location: URL | null }> {
  const res = await b.auth(`${back.pathname.replace(/^\/api\/auth/, "")}${back.search}`);
  const location = res.headers.get("location");
  return { res, location: location ? new URL(location, ORIGIN) : null };
}

/** The whole sign-in: start, provider, callback. */
export async function oauthSignIn(b: Browser, login: string, body: Record<string, unknown> = {}) {
  const back = await atProvider(await startOAuth(b, "/sign-in/social", { provider: "oidc", callbackURL: "/settings/security", ...body }), { login });
  return { back, ...(await callback(b, back)) };
}
