// Free loopback ports, for every server the tests, the e2e run and the bench start.
import net from "node:net";

/** A port the OS picks on 127.0.0.1 (no range: for servers nobody needs to find by number). */
async function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

/** Free on every address (dual-stack wildcard): a server on 127.0.0.1 or ::1 also blocks it. */
async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "::", ipv6Only: false }, () => server.close(() => resolve(true)));
  });
}

export interface PortRange {
  from: number;
  to: number;
}

/** Ranges kept apart so concurrent runs of different kinds never race for the same port. */
export const PORT_RANGES = {
  e2e: { from: 3200, to: 3299 },
  bench: { from: 3300, to: 3399 },
  fault: { from: 3400, to: 3499 },
} as const satisfies Record<string, PortRange>;

/** A free port: any (OS-assigned) without a range, else one in the range, tried from a random
 *  start so two runs starting together rarely probe the same port first. */
export async function freePort(range?: PortRange): Promise<number> {
  if (!range) return anyFreePort();
  const size = range.to - range.from + 1;
  const start = Math.floor(Math.random() * size);
  for (let i = 0; i < size; i++) {
    const port = range.from + ((start + i) % size);
    if (await portIsFree(port)) return port;
  }
  throw new Error(`No free port in ${range.from}-${range.to}.`);
}
