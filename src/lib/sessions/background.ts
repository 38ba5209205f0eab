// Work the app starts off the request path and does not wait for (index rebuilds, row
// clean-ups): one run per key at a time, failures logged, and flushBackground() for tests
// and graceful shutdowns instead of sleeps.
const g = globalThis as unknown as { __revocableBackground?: Map<string, Promise<void>> };
const inFlight: Map<string, Promise<void>> = (g.__revocableBackground ??= new Map());

/** Starts `work` unless a run with the same key is in flight. */
export function runInBackground(key: string, work: () => Promise<unknown>): void {
  if (inFlight.has(key)) return;
  const run = work()
    .then(() => undefined)
    .catch((err: unknown) => console.warn(`[sessions] background ${key} failed: ${(err as Error).message}`))
    .finally(() => inFlight.delete(key));
  inFlight.set(key, run);
}

/** Resolves once every run started so far (and any started meanwhile) has finished. */
export async function flushBackground(): Promise<void> {
  while (inFlight.size > 0) await Promise.all(inFlight.values());
}
