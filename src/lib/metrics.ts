// Process-wide counters and their Prometheus text rendering (exposition format 0.0.4).
// No dependency: a handful of counters and gauges do not need prom-client, and a leaf
// module with no imports can be called from every layer (proxy, auth hooks, index).
// Kept on globalThis so Next's separate bundles (proxy, route handlers) share one set.

export type SessionEndReason =
  | "sign-out"
  | "revoke"
  | "revoke-all"
  | "password-change"
  | "password-reset"
  | "limit"
  | "idle"
  | "expired"
  | "operator"
  | "user-deleted"
  /** "This wasn't me" from the new-sign-in email (lib/security/report-sign-in.ts). */
  | "reported"
  /** The account was banned from the admin console (lib/admin/actions.ts). */
  | "banned"
  /** An administrator ended a session, or all, from the admin console. */
  | "admin"
  | "other";

export const SESSION_END_REASONS: readonly SessionEndReason[] = [
  "sign-out",
  "revoke",
  "revoke-all",
  "password-change",
  "password-reset",
  "limit",
  "idle",
  "expired",
  "operator",
  "user-deleted",
  "reported",
  "banned",
  "admin",
  "other",
];

type Labels = Record<string, string>;

interface Family {
  type: "counter" | "gauge";
  help: string;
  /** Serialised label set -> value. */
  samples: Map<string, number>;
}

interface Registry {
  families: Map<string, Family>;
}

const g = globalThis as unknown as { __revocableMetrics?: Registry };
const registry: Registry = (g.__revocableMetrics ??= { families: new Map() });

function family(name: string, type: Family["type"], help: string): Family {
  let f = registry.families.get(name);
  if (!f) registry.families.set(name, (f = { type, help, samples: new Map() }));
  return f;
}

const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

function labelKey(labels: Labels = {}): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeLabel(labels[k]!)}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

function add(name: string, type: Family["type"], help: string, by: number, labels?: Labels): void {
  const f = family(name, type, help);
  const key = labelKey(labels);
  f.samples.set(key, (f.samples.get(key) ?? 0) + by);
}

function set(name: string, help: string, value: number, labels?: Labels): void {
  family(name, "gauge", help).samples.set(labelKey(labels), value);
}

// ---- The metrics (names and meanings are listed in docs/operating.md) ----------------

const HELP = {
  hits: "Session checks answered by the index (validity entry found).",
  misses: "Session checks the index had no entry for (revoked, expired or lost); Postgres decides.",
  fallbacks: "Requests answered from Postgres instead of the index, by operation and cause.",
  breakerOpens: "Times the session index circuit breaker opened (Redis stopped answering).",
  breakerOpen: "1 while the session index circuit breaker is open or half-open, 0 when closed.",
  ended: "Sessions ended, by reason.",
  signIns: "Sessions created (every sign-in, including the one after email verification).",
  rateLimited: "Requests refused by a rate limit, by scope (per client IP or per account).",
  backlog: "Index removals waiting in Postgres (session_index_backlog) for Redis to take them.",
  streams: "Open session event streams (GET /api/sessions/events) on this instance.",
} as const;

/** Counts one session check's index outcome. */
export function countIndexLookup(result: "hit" | "miss"): void {
  if (result === "hit") add("revocable_index_hits_total", "counter", HELP.hits, 1);
  else add("revocable_index_misses_total", "counter", HELP.misses, 1);
}

/** An answer that came from Postgres: the index missed or could not be reached. */
export function countPostgresFallback(operation: "check" | "list", cause: "miss" | "unreachable"): void {
  add("revocable_postgres_fallbacks_total", "counter", HELP.fallbacks, 1, { operation, cause });
}

export function countBreakerOpen(): void {
  add("revocable_index_breaker_opens_total", "counter", HELP.breakerOpens, 1);
}

export function countSessionsEnded(reason: SessionEndReason, n = 1): void {
  if (n > 0) add("revocable_sessions_ended_total", "counter", HELP.ended, n, { reason });
}

export function countSignIn(): void {
  add("revocable_sign_ins_total", "counter", HELP.signIns, 1);
}

export function countRateLimitRefusal(scope: "ip" | "account"): void {
  add("revocable_rate_limit_refusals_total", "counter", HELP.rateLimited, 1, { scope });
}

/** Event streams call these when a stream opens and closes. */
export function eventStreamOpened(): void {
  add("revocable_event_streams_open", "gauge", HELP.streams, 1);
}
export function eventStreamClosed(): void {
  add("revocable_event_streams_open", "gauge", HELP.streams, -1);
}

/** Current value of one sample (tests, and the readiness report). */
export function metricValue(name: string, labels?: Labels): number {
  return registry.families.get(name)?.samples.get(labelKey(labels)) ?? 0;
}

/** Gauges read at scrape time from their owners (null: unknown right now, left out). */
export interface ScrapeGauges {
  breakerOpen: boolean | null;
  backlog: number | null;
}

/** Every family, so a scrape lists all metrics (at 0) before their first event. */
function declareAll(): void {
  add("revocable_index_hits_total", "counter", HELP.hits, 0);
  add("revocable_index_misses_total", "counter", HELP.misses, 0);
  for (const operation of ["check", "list"])
    for (const cause of ["miss", "unreachable"]) add("revocable_postgres_fallbacks_total", "counter", HELP.fallbacks, 0, { operation, cause });
  add("revocable_index_breaker_opens_total", "counter", HELP.breakerOpens, 0);
  for (const reason of SESSION_END_REASONS) add("revocable_sessions_ended_total", "counter", HELP.ended, 0, { reason });
  add("revocable_sign_ins_total", "counter", HELP.signIns, 0);
  for (const scope of ["ip", "account"]) add("revocable_rate_limit_refusals_total", "counter", HELP.rateLimited, 0, { scope });
  add("revocable_event_streams_open", "gauge", HELP.streams, 0);
}

/** The Prometheus text exposition (version 0.0.4) of every metric. */
export function renderMetrics(gauges: ScrapeGauges): string {
  declareAll();
  if (gauges.breakerOpen !== null) set("revocable_index_breaker_open", HELP.breakerOpen, gauges.breakerOpen ? 1 : 0);
  else registry.families.delete("revocable_index_breaker_open");
  if (gauges.backlog !== null) set("revocable_index_backlog", HELP.backlog, gauges.backlog);
  else registry.families.delete("revocable_index_backlog");
  const lines: string[] = [];
  for (const [name, f] of [...registry.families].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`);
    for (const [labels, value] of f.samples) lines.push(`${name}${labels} ${value}`);
  }
  return lines.join("\n") + "\n";
}

export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
