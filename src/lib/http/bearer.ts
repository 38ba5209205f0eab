// "Authorization: Bearer <token>" against a configured secret, in constant time: both
// sides are hashed first so neither the length nor a matching prefix shows in timing.
import { createHash, timingSafeEqual } from "node:crypto";

const digest = (v: string) => createHash("sha256").update(v, "utf8").digest();

export function bearerTokenMatches(authorization: string | null, expected: string): boolean {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? "");
  const presented = match?.[1] ?? "";
  // Compare even when absent, so a missing header costs the same as a wrong one.
  const equal = timingSafeEqual(digest(presented), digest(expected));
  return equal && presented.length > 0;
}
