// Work that runs after a request has its answer (account look-ups whose cost would tell
// an attacker whether an address is registered). Tracked so shutdown and tests can wait
// for it explicitly; a failure is logged, never thrown into a request.
import { after } from "next/server";

const inFlight = new Set<Promise<void>>();

/**
 * Starts `start` once the answer is out: inside a Next request, with next/server's after()
 * (runs when the response has finished); elsewhere (tests, scripts) on a timer, which
 * lets the caller's answer be read before the task's first query and CPU work.
 */
function whenAnswered(start: () => void): void {
  // NEXT_RUNTIME is set only inside the Next server; asking after() elsewhere throws, and a
  // thrown error's stack capture costs more than the work being hidden.
  if (process.env.NEXT_RUNTIME) {
    try {
      after(start);
      return;
    } catch {
      // Not inside a request scope (e.g. instrumentation): fall through.
    }
  }
  setTimeout(start, 0);
}

export function runInBackground(label: string, task: () => Promise<unknown>): void {
  let start!: () => void;
  const p: Promise<void> = new Promise<void>((resolve) => (start = resolve))
    .then(task)
    .then(
      () => undefined,
      (err: unknown) => console.error(`[background] ${label} failed: ${err instanceof Error ? err.message : String(err)}`),
    )
    .finally(() => inFlight.delete(p));
  inFlight.add(p);
  whenAnswered(start);
}

/** Resolves once every task started so far (and any they started) has finished. */
export async function flushBackground(): Promise<void> {
  while (inFlight.size) await Promise.all([...inFlight]);
}
