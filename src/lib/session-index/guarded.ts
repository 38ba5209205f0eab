// Any SessionIndex behind a circuit breaker: what the app actually uses in front of Redis.
import { CircuitBreaker, type BreakerOptions } from "./breaker";
import type { SessionIndex } from "./types";

export class GuardedSessionIndex implements SessionIndex {
  readonly breaker: CircuitBreaker;

  constructor(
    readonly inner: SessionIndex,
    options: BreakerOptions = {},
  ) {
    this.breaker = new CircuitBreaker(options);
  }

  get kind() {
    return this.inner.kind;
  }

  record: SessionIndex["record"] = (...a) => this.breaker.run(() => this.inner.record(...a));
  check: SessionIndex["check"] = (...a) => this.breaker.run(() => this.inner.check(...a));
  listChecked: SessionIndex["listChecked"] = (...a) => this.breaker.run(() => this.inner.listChecked(...a));
  rebuildTag: SessionIndex["rebuildTag"] = (...a) => this.breaker.run(() => this.inner.rebuildTag(...a));
  isBuilt: SessionIndex["isBuilt"] = () => this.breaker.run(() => this.inner.isBuilt());
  markBuilt: SessionIndex["markBuilt"] = () => this.breaker.run(() => this.inner.markBuilt());
  claimRebuild: SessionIndex["claimRebuild"] = (...a) => this.breaker.run(() => this.inner.claimRebuild(...a));
  releaseRebuild: SessionIndex["releaseRebuild"] = () => this.breaker.run(() => this.inner.releaseRebuild());
  endAllBut: SessionIndex["endAllBut"] = (...a) => this.breaker.run(() => this.inner.endAllBut(...a));
  lookup: SessionIndex["lookup"] = (...a) => this.breaker.run(() => this.inner.lookup(...a));
  touch: SessionIndex["touch"] = (...a) => this.breaker.run(() => this.inner.touch(...a));
  remove: SessionIndex["remove"] = (...a) => this.breaker.run(() => this.inner.remove(...a));
  list: SessionIndex["list"] = (...a) => this.breaker.run(() => this.inner.list(...a));
  count: SessionIndex["count"] = (...a) => this.breaker.run(() => this.inner.count(...a));
  clear: SessionIndex["clear"] = () => this.inner.clear();
}
