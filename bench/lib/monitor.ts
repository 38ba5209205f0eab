// Round trips as Redis itself sees them: MONITOR on a dedicated connection, keeping only the
// commands sent to this run's DB index by clients (a command run inside a Lua script is shown
// with source "lua" and is not a round trip). The run owns its DB index, so nobody else's
// traffic is counted. MONITOR slows Redis down, so it is switched on for one observation at a
// time and never while a load is measured.
import { Redis } from "ioredis";

export interface ObservedCommands {
  /** Commands sent by clients (each one a request/response on the wire: a round trip). */
  roundTrips: number;
  /** Same, by command name, e.g. { get: 50 }. */
  byCommand: Record<string, number>;
  /** Commands executed inside Lua scripts (work done, no extra round trip). */
  insideScripts: number;
  /** Distinct client addresses that sent them. */
  clients: string[];
  /** Connection set-up commands (SELECT, INFO, CLIENT, HELLO) of a client that connected
   *  meanwhile: not per-request work, so not counted as round trips. */
  connectionSetup: number;
}

const SETUP = new Set(["select", "info", "client", "hello", "auth"]);

const MARKER = "bench-monitor-marker";

export class RedisMonitor {
  constructor(
    private readonly baseUrl: string,
    private readonly db: number,
  ) {}

  /**
   * Counts the commands `work` causes on this DB, from any client of it (e.g. the server).
   * Redis feeds MONITOR in execution order, so a marker sent before `work` (and seen) means
   * nothing earlier is counted, and one sent after it (and seen) means nothing is missed.
   */
  async observe<T>(work: () => Promise<T>): Promise<{ value: T; observed: ObservedCommands }> {
    const probe = new Redis(`${this.baseUrl}/${this.db}`, { lazyConnect: true });
    await probe.connect();
    const db = String(this.db);
    const lines: { source: string; command: string }[] = [];
    const markers = new Set<string>();
    let recording = false;
    let monitor: Redis | null = null;
    try {
      // A MONITOR connection of our own (ioredis's monitor() gives no chance to listen for
      // errors first). ioredis marks it "monitoring" a microtask after MONITOR's +OK, so
      // lines that arrive in the same read hit an empty command queue and surface as
      // "Command queue state error": they precede the first fence marker below, so dropping
      // them loses nothing this counts. Any other error fails the observation.
      let monitorError: Error | null = null;
      monitor = new Redis(this.baseUrl, { monitor: true, lazyConnect: true });
      monitor.on("error", (err: Error) => {
        if (!/Command queue state error/.test(err.message)) monitorError ??= err;
      });
      const monitoring = new Promise<void>((resolve) => monitor!.once("monitoring", () => resolve()));
      await monitor.connect();
      await monitoring;
      monitor.on("monitor", (_time: string, args: string[], source: string, database: string) => {
        if (database !== db) return;
        if (args[0]?.toLowerCase() === "echo" && String(args[1]).startsWith(MARKER)) {
          markers.add(String(args[1]));
          return;
        }
        if (recording) lines.push({ source, command: String(args[0] ?? "").toLowerCase() });
      });
      const fence = async () => {
        const marker = `${MARKER}-${Math.random().toString(36).slice(2)}`;
        for (let i = 0; i < 200 && !markers.has(marker); i++) {
          await probe.echo(marker);
          await new Promise((r) => setTimeout(r, 5));
        }
        if (!markers.has(marker)) throw new Error("Redis MONITOR did not report commands");
      };
      await fence();
      recording = true;
      const value = await work();
      await fence();
      recording = false;
      if (monitorError) throw monitorError;
      const byCommand: Record<string, number> = {};
      let roundTrips = 0;
      let insideScripts = 0;
      let connectionSetup = 0;
      const clients = new Set<string>();
      for (const line of lines) {
        if (line.source === "lua") {
          insideScripts++;
          continue;
        }
        if (SETUP.has(line.command)) {
          connectionSetup++;
          continue;
        }
        roundTrips++;
        clients.add(line.source);
        byCommand[line.command] = (byCommand[line.command] ?? 0) + 1;
      }
      return { value, observed: { roundTrips, byCommand, insideScripts, clients: [...clients], connectionSetup } };
    } finally {
      monitor?.disconnect();
      probe.disconnect();
    }
  }
}
