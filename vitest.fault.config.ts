// The fault-injection suite (`npm run test:fault`): the production build run as several app
// instances on one Postgres database and a Redis of the suite's own, with partitions, crashes,
// Redis restarts and a Sentinel failover injected under a randomised workload, and a checker
// judging every answer. See docs/failure-modes.md ("The fault-injection suite").
import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: { "@": path.resolve(import.meta.dirname, "src"), "@emails": path.resolve(import.meta.dirname, "emails") },
  },
  test: {
    include: ["test/fault/**/*.test.ts"],
    globalSetup: ["test/fault/global-setup.ts"],
    fileParallelism: false,
    pool: "forks",
    // The schedules run inside one test, whose timeout follows FAULT_BUDGET_MS (fault.test.ts).
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    reporters: ["default", "./test/support/summary-reporter.ts"],
  },
});
