// Rate limits are off in tests (setup-env.ts) except where a test is about them.
import { afterAll, beforeAll } from "vitest";
import { resetAuthForTests } from "@/lib/auth";
import { resetEnvForTests } from "@/lib/env";

/** RATE_LIMIT=on or off, with the configuration and better-auth rebuilt to read it. */
export function setRateLimits(state: "on" | "off"): void {
  process.env.RATE_LIMIT = state;
  resetEnvForTests();
  resetAuthForTests();
}

/** Rate limits on for the enclosing describe block (or file), off again after it. */
export function withRateLimits(): void {
  beforeAll(() => setRateLimits("on"));
  afterAll(() => setRateLimits("off"));
}
