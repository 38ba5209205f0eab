// What bench/server.ts measures of a request sent with `x-bench-timing: <id>`, and answers
// at GET /__bench/timing/<id> (the figures that read it import this type).
export interface RequestTiming {
  wallMs: number;
  /** Time with at least one Postgres statement (Redis command) of the request in flight:
   *  the union of their intervals, as work the request starts off its path (a touch) can
   *  overlap its own statements. */
  pgMs: number;
  pgStatements: number;
  redisMs: number;
  redisCommands: string[];
  /** Each command's own time (sent to answered), in the order of redisCommands. */
  redisCommandMs: number[];
  /** Time with neither in flight (Next, the route, the proxy's own work, waiting for a core). */
  nodeMs: number;
  done: boolean;
}
