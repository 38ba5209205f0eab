// Work that runs after a request has its answer (account look-ups whose cost would tell
// an attacker whether an address is registered). Tracked so shutdown and tests can wait
// for it explicitly; a failure is logged, never thrown into a request.
const inFlight = new Set<Promise<void>>();

export function runInBackground(label: string, task: () => Promise<unknown>): void {
  // setImmediate: the answer is written before the task's first query is sent.
  const p: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
    .then(task)
    .then(
      () => undefined,
      (err: unknown) => console.error(`[background] ${label} failed: ${err instanceof Error ? err.message : String(err)}`),
    )
    .finally(() => inFlight.delete(p));
  inFlight.add(p);
}

/** Resolves once every task started so far (and any they started) has finished. */
export async function flushBackground(): Promise<void> {
  while (inFlight.size) await Promise.all([...inFlight]);
}
