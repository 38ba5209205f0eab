// Most of the app's better-auth plugins exist for their database hooks alone (one concern
// each: the client address, the sign-in context, the index, the device, the front door).
// better-auth merges every plugin's hooks in plugin order (src/lib/auth/index.ts).
import type { BetterAuthOptions } from "better-auth";

type DatabaseHooks = NonNullable<BetterAuthOptions["databaseHooks"]>;

/** A plugin's `init` that adds these database hooks and nothing else. */
export function withDatabaseHooks(hooks: DatabaseHooks) {
  return () => ({ options: { databaseHooks: hooks } });
}
