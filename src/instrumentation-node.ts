// Start-up: validate the environment (a bad variable stops the app with its name) and,
// on the embedded database, run migrations before the first request.
import { dbReady } from "@/db";
import { env, EnvError } from "@/lib/env";

export async function startup(): Promise<void> {
  try {
    env();
  } catch (err) {
    if (err instanceof EnvError) {
      console.error(`\n${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  await dbReady();
  // Apply index removals an outage left behind (this or another instance's).
  const { startIndexHealth } = await import("@/lib/sessions/index-health");
  await startIndexHealth().catch((err: unknown) => console.warn("[sessions] index health start failed:", (err as Error).message));
  // Rows of sessions that expired over a day ago, hourly.
  const { startExpiredRowCleanup } = await import("@/lib/sessions/expired-rows");
  startExpiredRowCleanup();
}
