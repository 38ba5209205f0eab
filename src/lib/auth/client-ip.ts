// Which headers name the client's IP, in one place: better-auth reads these options for
// session rows and rate limits, and the emails resolve the IP with the same ones, without
// importing the auth instance (which imports the email callbacks: that was a cycle).
import type { BetterAuthOptions } from "better-auth";
import { getIP } from "better-auth/api";

type IpAddressOptions = NonNullable<NonNullable<BetterAuthOptions["advanced"]>["ipAddress"]>;

/** better-auth's defaults (x-forwarded-for, no trusted-proxy list); set deployment overrides here. */
export const IP_ADDRESS_OPTIONS: IpAddressOptions = {};

/** The client IP as better-auth resolves it for session rows. */
export function clientIp(headers: Headers | undefined): string | null {
  if (!headers) return null;
  return getIP(headers, { advanced: { ipAddress: IP_ADDRESS_OPTIONS } });
}
