// Redis behind Sentinel is a third way to configure the index's Redis (the fault suite's
// failover schedules run the app that way).
import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/env";

const production = {
  NODE_ENV: "production",
  BETTER_AUTH_SECRET: "a-production-secret-0123456789abcdefghijkl",
  DATABASE_URL: "postgres://db/revocable",
};

describe("REDIS_SENTINELS", () => {
  it("stands in for REDIS_URL in production, with the master's name defaulting to mymaster", () => {
    const env = parseEnv({ ...production, REDIS_SENTINELS: "10.0.0.1:26379,10.0.0.2:26379" });
    expect(env.REDIS_SENTINELS).toBe("10.0.0.1:26379,10.0.0.2:26379");
    expect(env.REDIS_SENTINEL_NAME).toBe("mymaster");
  });

  it("refuses a list that is not host:port pairs, and production without any Redis", () => {
    expect(() => parseEnv({ ...production, REDIS_SENTINELS: "10.0.0.1" })).toThrow(/REDIS_SENTINELS: must be host:port/);
    expect(() => parseEnv(production)).toThrow(/REDIS_URL: is required in production \(or set REDIS_CLUSTER_NODES or REDIS_SENTINELS\)/);
  });
});
