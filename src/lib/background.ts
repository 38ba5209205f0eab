// Work the app starts and does not wait for: history writes and account look-ups whose cost
// would tell an attacker whether an address is registered (after the answer), index
// rebuilds and row clean-ups (one run per key). Tracked so shutdown and tests can wait for
// it explicitly (flushBackground, never sleeps); a failure is logged, never thrown into a
// request.
import { after } from "next/server";

// On globalThis: Next's bundles and the server's own modules each load a copy of this file,
// and flushBackground() must see every task of the process.
const g = globalThis as unknown as { __revocableBackground?: { all: Set<Promise<void>>; byKey: Map<string, Promise<void>> } };
const tasks = (g.__revocableBackground ??= { all: new Set(), byKey: new Map() });

/**
 * Calls `start` once the answer is out: inside a Next request, with next/server's after()
 * (runs when the response has finished); elsewhere (tests, scripts) on a timer, which
 * lets the caller's answer be read before the task's first query and CPU work.
 * Not for work scheduled from a long-lived response (the event stream): after() waits for
 * the response to end.
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

/** `done` runs as the task settles, before flushBackground() can see it finished. */
function track(label: string, task: () => Promise<unknown>, start: "now" | "after-answer", done?: () => void): Promise<void> {
  let go!: () => void;
  const p: Promise<void> = new Promise<void>((resolve) => (go = resolve))
    .then(task)
    .then(
      () => undefined,
      (err: unknown) => console.error(`[background] ${label} failed: ${err instanceof Error ? err.message : String(err)}`),
    )
    .finally(() => {
      done?.();
      tasks.all.delete(p);
    });
  tasks.all.add(p);
  if (start === "now") go();
  else whenAnswered(go);
  return p;
}

/** Runs `task` once the request has its answer. */
export function runInBackground(label: string, task: () => Promise<unknown>): void {
  void track(label, task, "after-answer");
}

/**
 * Runs `task` unless a run with the same key is in flight (index rebuilds, clean-ups):
 * at once by default, or once the request has its answer, for work that would compete
 * with the request for the database and the CPU.
 */
export function runOnceInBackground(key: string, task: () => Promise<unknown>, start: "now" | "after-answer" = "now"): void {
  if (tasks.byKey.has(key)) return;
  // The key is free again by the time flushBackground() returns: a run asked for right
  // after a flush is started, not taken for the one that just finished.
  tasks.byKey.set(key, track(key, task, start, () => tasks.byKey.delete(key)));
}

/** Resolves once every task started so far (and any they started) has finished. */
export async function flushBackground(): Promise<void> {
  while (tasks.all.size) await Promise.all([...tasks.all]);
}
