// better-auth sees the client address the rest of the app does (src/lib/client-address.ts):
//  - its rate limiter reads RESOLVED_HEADER, which withClientAddress() sets on every
//    request to the handler from the verified address (and removes when there is none), so
//    a client-sent copy never counts;
//  - session rows get that address from clientAddressPlugin (better-auth's own reading
//    would be its header's, and IPv6 expanded and cut to its /64).
import type { BetterAuthOptions, BetterAuthPlugin } from "better-auth";
import { clientAddress } from "@/lib/client-address";
import { withDatabaseHooks } from "./database-hooks";

type IpAddressOptions = NonNullable<NonNullable<BetterAuthOptions["advanced"]>["ipAddress"]>;

/** Written here only, from the verified address; better-auth reads nothing else. */
export const RESOLVED_HEADER = "x-revocable-client-ip";

/** better-auth keys its per-IP limits by RESOLVED_HEADER (IPv6 by /64, its default). */
export const IP_ADDRESS_OPTIONS: IpAddressOptions = { ipAddressHeaders: [RESOLVED_HEADER] };

/** The request better-auth's handler gets: RESOLVED_HEADER is the verified address or absent. */
export function withClientAddress(request: Request): Request {
  const address = clientAddress(request.headers);
  if (!address && !request.headers.has(RESOLVED_HEADER)) return request;
  const headers = new Headers(request.headers);
  if (address) headers.set(RESOLVED_HEADER, address);
  else headers.delete(RESOLVED_HEADER);
  return new Request(request, { headers });
}

type HookContext = { request?: Request; headers?: Headers } | null | undefined;

export const clientAddressPlugin = () =>
  ({
    id: "client-address",
    init: withDatabaseHooks({
      session: {
        create: {
          before: async (session, ctx) => {
            const c = ctx as HookContext;
            return { data: { ...session, ipAddress: clientAddress(c?.request?.headers ?? c?.headers) } };
          },
        },
      },
    }),
  }) satisfies BetterAuthPlugin;
