// End-to-end tests: a production build (`next build`, then server.ts as `npm start` runs
// it) against this run's own Postgres database and Redis DB, driven by Debian's Chromium
// through playwright-core.
import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: { "@": path.resolve(import.meta.dirname, "src"), "@emails": path.resolve(import.meta.dirname, "emails") },
  },
  test: {
    include: ["test/e2e/**/*.test.ts"],
    globalSetup: ["test/e2e/support/global-setup.ts"],
    // One server, one database: files run one after another, each with its own browser.
    fileParallelism: false,
    pool: "forks",
    testTimeout: 90_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    reporters: ["default", "./test/support/summary-reporter.ts"],
  },
});
