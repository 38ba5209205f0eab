// Where to go after sign-in: only a path on this app, never another origin (open redirect).
//
// The target is resolved with the WHATWG URL parser, the same algorithm the browser uses
// when it follows the redirect, so everything the browser would normalise (tab/CR/LF
// dropped, "\" read as "/", percent-encodings, "." and ".." segments, schemes) is
// normalised here first. Pattern checks on the raw string missed "/\t/evil.example",
// which the browser reads as "//evil.example".
//
// The base is a fixed origin that cannot be a real host (".invalid", RFC 2606): resolving
// a same-origin path against it gives the same path as resolving it against the app's
// origin, and anything that escapes it (another host, another scheme) changes the origin.
const BASE = "http://revocable.invalid";

export const DEFAULT_NEXT = "/settings/security";

/**
 * The normalised same-origin path `target` leads to, or null when it leads anywhere else.
 * `appOrigin` (server side: the origin of APP_URL) also accepts absolute URLs on the app's
 * own origin, returned as their path.
 */
export function sameOriginPath(target: string, appOrigin?: string): string | null {
  let url: URL;
  try {
    url = new URL(target, BASE);
  } catch {
    return null;
  }
  if (url.origin !== BASE && !(appOrigin && url.origin === appOrigin)) return null;
  // The parser leaves "\\" as is in the query and fragment: encode it (and anything else a
  // browser might rewrite) so the result is stable when it is parsed again.
  const path = (url.pathname + url.search + url.hash).replace(/[\u0000-\u0020\u007f\\]/g, (c) => encodeURIComponent(c));
  // "/.//evil.example" normalises to the path "//evil.example", which a browser given the
  // path on its own would read as a host: never hand out a path that starts with "//".
  if (!path.startsWith("/") || path.startsWith("//")) return null;
  return path;
}

export function safeNextPath(next: string | null | undefined, fallback = DEFAULT_NEXT): string {
  if (!next) return fallback;
  return sameOriginPath(next) ?? fallback;
}
