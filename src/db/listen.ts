// A Postgres LISTEN on a connection of its own (a pooled one would lose it), reconnecting
// after a loss. Only node-postgres: the embedded database is one process, nothing to hear.
import pg from "pg";
import { env } from "@/lib/env";

export interface Listener {
  /** A read on the listening connection, or null while it is not connected. Not counted
   *  by getQueryCount(): it is the watch's own, never a request's. */
  read: <Row>(text: string) => Promise<Row[]> | null;
  stop: () => void;
}

/**
 * Calls `onNotify(payload)` for every NOTIFY on `channel`, and `onListening()` each time
 * the LISTEN is (re)established (so the caller can catch up on what it may have missed).
 * Returns null when there is no Postgres server to listen to.
 */
export function listenToChannel(channel: string, onNotify: (payload: string) => void, onListening: () => void): Listener | null {
  const url = env().DATABASE_URL;
  if (!url) return null;
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
  let stopped = false;
  let client: pg.Client | null = null;
  let connected: pg.Client | null = null;

  const connect = async () => {
    if (stopped) return;
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    client = c;
    let retried = false;
    const retry = () => {
      if (retried) return;
      retried = true;
      if (connected === c) connected = null;
      c.end().catch(() => undefined);
      if (!stopped) setTimeout(() => void connect(), 1_000).unref();
    };
    c.on("error", retry);
    c.on("end", retry);
    c.on("notification", (n) => onNotify(n.payload ?? ""));
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
      // The process may exit with this connection open (tests, scripts).
      (c as unknown as { connection?: { stream?: { unref?: () => void } } }).connection?.stream?.unref?.();
      connected = c;
      onListening();
    } catch {
      retry();
    }
  };
  void connect();
  return {
    read: <Row>(text: string) => (connected ? connected.query(text).then((r) => r.rows as Row[]) : null),
    stop: () => {
      stopped = true;
      client?.end().catch(() => undefined);
    },
  };
}
