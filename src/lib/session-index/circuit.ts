// The index's health as events: every index the app uses sits behind a circuit breaker,
// and the breaker's state changes are announced on one process-wide bus that
// sessions/index-health.ts listens to (suspect mode, backlog drain).
import { EventEmitter } from "node:events";
import { env } from "@/lib/env";
import { countBreakerOpen } from "@/lib/metrics";
import { GuardedSessionIndex } from "./guarded";
import type { SessionIndex } from "./types";

const globalForCircuit = globalThis as unknown as { __revocableIndexEvents?: EventEmitter };

/** "open": the index stopped answering; "close": it answers again. */
export const indexEvents: EventEmitter = (globalForCircuit.__revocableIndexEvents ??= new EventEmitter());

/** Wraps an index in the circuit breaker whose state changes reach indexEvents. */
export function guard(inner: SessionIndex, cooldownMs = env().REDIS_BREAKER_COOLDOWN_MS): GuardedSessionIndex {
  return new GuardedSessionIndex(inner, {
    cooldownMs,
    onOpen: () => {
      console.warn("[session-index] circuit open: Redis unreachable, answering from Postgres");
      countBreakerOpen();
      indexEvents.emit("open");
    },
    onClose: () => {
      console.info("[session-index] circuit closed: Redis is back");
      indexEvents.emit("close");
    },
  });
}
