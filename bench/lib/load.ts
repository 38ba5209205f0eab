// HTTP load on loopback with autocannon. autocannon's own latency histogram has 1 ms
// resolution, too coarse for a +0.5 ms target, so every response time (a float in ms, from
// process.hrtime) is collected here and the percentiles are computed exactly.
import autocannon from "autocannon";

export interface LoadSpec {
  url: string;
  requests: autocannon.Request[];
  connections: number;
  seconds: number;
  /** Status codes that count as served (the check passed). */
  okStatuses: number[];
}

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
  requests: number;
  ok: number;
  statuses: Record<string, number>;
  errors: number;
  seconds: number;
  /** CPU time the server process spent per request during the run (µs), when measured. */
  serverCpuUsPerRequest?: number;
  /** Every served response's time (ms), sorted. Not serialized (see withoutSamples). */
  samples?: Float64Array;
}

/** Pools the response times of several runs: exact percentiles over all of them. */
export function pooled(results: LoadResult[]): { p50: number; p90: number; p99: number; count: number } {
  const total = results.reduce((a, r) => a + (r.samples?.length ?? 0), 0);
  const all = new Float64Array(total);
  let at = 0;
  for (const r of results) {
    if (!r.samples) continue;
    all.set(r.samples, at);
    at += r.samples.length;
  }
  all.sort();
  return { p50: percentile(all, 0.5), p90: percentile(all, 0.9), p99: percentile(all, 0.99), count: total };
}

export function withoutSamples(r: LoadResult): Omit<LoadResult, "samples"> {
  const { samples: _samples, ...rest } = r;
  void _samples;
  return rest;
}

export function percentile(sorted: Float64Array | number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[idx]!;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  let latencies = new Float64Array(1 << 16);
  let n = 0;
  const statuses: Record<string, number> = {};
  let ok = 0;
  const okSet = new Set(spec.okStatuses);
  const started = process.hrtime.bigint();
  const instance = autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.seconds,
    requests: spec.requests,
    // autocannon stops at its next sample tick: sample every 100 ms so a run lasts its duration
    sampleInt: 100,
  }) as unknown as autocannon.Instance & PromiseLike<autocannon.Result>;
  instance.on("response", (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    if (!okSet.has(statusCode)) return;
    ok++;
    if (n === latencies.length) {
      const bigger = new Float64Array(latencies.length * 2);
      bigger.set(latencies);
      latencies = bigger;
    }
    latencies[n++] = responseTime;
  });
  const result = await instance;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const sorted = latencies.slice(0, n).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  const total = Object.values(statuses).reduce((a, b) => a + b, 0);
  return {
    requestsPerSecond: ok / (result.duration || seconds),
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    mean: n ? sum / n : NaN,
    max: n ? sorted[n - 1]! : NaN,
    requests: total,
    ok,
    statuses,
    errors: result.errors + result.timeouts,
    seconds: result.duration || seconds,
    samples: sorted,
  };
}
