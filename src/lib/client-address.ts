// The client's address: one source for the whole app (session rows, emails, rate limits,
// logs), handed to better-auth too (src/lib/auth/client-ip.ts).
//
// Who may name the client is configuration (TRUST_PROXY in src/lib/env.ts):
//  - none (default): the TCP peer. Any X-Forwarded-For a client sends is ignored.
//  - N: N reverse proxies in front of the app, each appending the address it saw to
//    X-Forwarded-For. The client is the entry N hops back from the peer (Express's
//    "trust proxy = N"); entries further left were written by the client and are ignored.
//  - a header name (cf-connecting-ip, x-vercel-forwarded-for, ...): a platform that sets
//    the header itself and drops any copy from the client.
//
// Route handlers and Next's proxy cannot see the TCP peer (`next start` only fills
// X-Forwarded-For with it when the client sent none), so the peer-based modes need the
// app's server (server.ts), which computes the address from the socket and hands it to
// Next on SIGNED_HEADER, signed with a key derived from BETTER_AUTH_SECRET. Whatever a
// client sends on that header is removed by the server, and a value without a valid
// signature is never used: if the app runs without server.ts (`next start` directly), the
// address is unknown (null), never the client's say-so. The header mode needs no server
// (Vercel runs none).
import { timingSafeEqual } from "node:crypto";
import { env, type TrustProxy } from "@/lib/env";
import { normalizeAddress } from "@/lib/ip-address";
import { purposeMac } from "@/lib/purpose-mac";

/** Set by server.ts only: "<address> <signature>". */
export const SIGNED_HEADER = "x-revocable-client-address";

// Its own key: this MAC never doubles as a cookie signature or another purpose's MAC.
const mac = purposeMac("revocable/client-address/v1");

/** The SIGNED_HEADER value for an address (server.ts, and tests standing in for it). */
export function signAddress(address: string): string {
  return `${address} ${mac(address).toString("base64url")}`;
}

function verifiedAddress(value: string | null): string | null {
  if (!value || value.length > 200) return null;
  const space = value.indexOf(" ");
  if (space < 1) return null;
  const address = normalizeAddress(value.slice(0, space));
  if (!address || address !== value.slice(0, space)) return null;
  const given = Buffer.from(value.slice(space + 1), "base64url");
  const expected = mac(address);
  return given.length === expected.length && timingSafeEqual(given, expected) ? address : null;
}

/** A header a platform sets: exactly one address, or nothing. */
function platformAddress(value: string | null): string | null {
  if (!value || value.includes(",")) return null;
  return normalizeAddress(value);
}

let warnedUnknown = false;

/** The client's address for a request, normalised (src/lib/ip-address.ts); null when unknown. */
export function clientAddress(headers: Headers | null | undefined): string | null {
  if (!headers) return null;
  const trust = env().TRUST_PROXY;
  const address = trust.kind === "header" ? platformAddress(headers.get(trust.name)) : verifiedAddress(headers.get(SIGNED_HEADER));
  if (!address && !warnedUnknown && env().NODE_ENV === "production") {
    warnedUnknown = true;
    console.error(
      trust.kind === "header"
        ? `[client-address] a request came without ${trust.name}: is the app really behind the platform that sets it (TRUST_PROXY)?`
        : "[client-address] a request came without a client address from server.ts: start the app with `npm start`, not `next start` (see README, Configuration)",
    );
  }
  return address;
}

type HeaderValue = string | string[] | undefined;

function forwardedEntries(value: HeaderValue): string[] {
  const joined = Array.isArray(value) ? value.join(",") : (value ?? "");
  return joined.split(",").map((entry) => entry.trim()).filter(Boolean);
}

/**
 * The client's address from the TCP peer and X-Forwarded-For under the trust setting
 * (server.ts). Counting from the peer, the first N addresses are trusted proxies; the
 * next one is the client. A shorter chain ends at its leftmost entry, which a trusted
 * proxy wrote (a request that reached an inner proxy directly).
 */
export function addressFromConnection(peer: string | undefined, forwardedFor: HeaderValue, trust: TrustProxy): string | null {
  const fromPeer = normalizeAddress(peer);
  if (trust.kind !== "hops") return fromPeer;
  const chain = [peer ?? "", ...forwardedEntries(forwardedFor).reverse()];
  return normalizeAddress(chain[Math.min(trust.hops, chain.length - 1)]);
}

/** What server.ts needs of Node's IncomingMessage. */
interface IncomingRequest {
  headers: Record<string, HeaderValue>;
  socket: { remoteAddress?: string };
}

/**
 * server.ts, on every request before Next sees it: drop any client copy of the signed
 * header, then (in the peer-based modes) sign the address worked out from the socket.
 */
export function stampClientAddress(req: IncomingRequest, trust: TrustProxy = env().TRUST_PROXY): void {
  delete req.headers[SIGNED_HEADER];
  if (trust.kind === "header") return;
  const address = addressFromConnection(req.socket.remoteAddress, req.headers["x-forwarded-for"], trust);
  if (address) req.headers[SIGNED_HEADER] = signAddress(address);
}
