// A small circuit breaker: after `threshold` consecutive failures it opens and calls fail
// at once for `cooldownMs`; then one trial call goes through (half-open) and its result
// closes or re-opens the circuit. Requests never queue behind a dead Redis.
export class CircuitOpenError extends Error {
  constructor() {
    super("session index circuit is open (Redis unreachable); using Postgres");
    this.name = "CircuitOpenError";
  }
}

export interface BreakerOptions {
  threshold?: number;
  cooldownMs?: number;
  now?: () => number;
  onOpen?: () => void;
  onClose?: () => void;
}

export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;
  private trialInFlight = false;
  private readonly threshold: number;
  private readonly cooldownMs: number;
  private readonly now: () => number;

  constructor(private readonly options: BreakerOptions = {}) {
    this.threshold = options.threshold ?? 2;
    this.cooldownMs = options.cooldownMs ?? 2_000;
    this.now = options.now ?? Date.now;
  }

  get state(): "closed" | "open" | "half-open" {
    if (this.openedAt === null) return "closed";
    return this.now() - this.openedAt >= this.cooldownMs ? "half-open" : "open";
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const state = this.state;
    if (state === "open" || (state === "half-open" && this.trialInFlight)) throw new CircuitOpenError();
    const trial = state === "half-open";
    if (trial) this.trialInFlight = true;
    try {
      const result = await fn();
      this.succeeded();
      return result;
    } catch (err) {
      this.failed();
      throw err;
    } finally {
      if (trial) this.trialInFlight = false;
    }
  }

  private succeeded(): void {
    const wasOpen = this.openedAt !== null;
    this.failures = 0;
    this.openedAt = null;
    if (wasOpen) this.options.onClose?.();
  }

  private failed(): void {
    this.failures++;
    if (this.openedAt !== null) {
      this.openedAt = this.now(); // failed trial: wait another cooldown
    } else if (this.failures >= this.threshold) {
      this.openedAt = this.now();
      this.options.onOpen?.();
    }
  }
}
