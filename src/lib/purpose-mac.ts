// HMAC-SHA256 keyed per purpose: each key is derived from BETTER_AUTH_SECRET with its own
// label, so a MAC made for one purpose (a proxy verdict, a client address, a report link)
// never verifies as another, nor as a session-cookie signature (keyed by the secret itself).
// The key is derived once per secret (tests change the secret between runs).
import { createHmac } from "node:crypto";
import { env } from "@/lib/env";

/** `purpose`: a versioned label, e.g. "revocable/proxy-verdict/v1". */
export function purposeMac(purpose: string): (data: string) => Buffer {
  let cached: { secret: string; key: Buffer } | null = null;
  return (data) => {
    const secret = env().BETTER_AUTH_SECRET;
    if (cached?.secret !== secret) cached = { secret, key: createHmac("sha256", secret).update(purpose).digest() };
    return createHmac("sha256", cached.key).update(data).digest();
  };
}
