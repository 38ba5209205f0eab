// Runs in each test worker before the test files: point the app at this run's services.
import { inject } from "vitest";

const provided = inject("testEnv");
Object.assign(process.env, {
  NODE_ENV: "test",
  APP_URL: "http://localhost:3000",
  BETTER_AUTH_SECRET: "test-secret-for-revocable-0123456789abcdefghijkl",
  SESSION_MAX_CONCURRENT: "3",
  // Most tests sign in many times from few addresses; rate-limit.test.ts turns it on.
  RATE_LIMIT: "off",
  ...provided,
});
