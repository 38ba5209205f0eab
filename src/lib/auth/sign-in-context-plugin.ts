// better-auth plugin, one concern: record how and where a session was signed in, when
// better-auth creates it (databaseHooks.session.create.before). Fills session.location
// (the approximate location of the session's IP: lib/location.ts, looked up here and only
// here, never per request), session.sign_in_method (lib/sign-in-context.ts) and, for a
// native app, session.declared_client (lib/auth/native-clients.ts). The
// columns are `input: false` additional fields: a request body cannot set them.
//
// Registered before the session-index plugin, whose create.after indexes the row with
// these fields, and after any plugin that settles the session's ipAddress.
import type { BetterAuthPlugin } from "better-auth";
import { locate } from "@/lib/location";
import { signInMethodOf } from "@/lib/sign-in-context";
import { deviceClientName } from "./device-flow";
import { declaredClientOf } from "./native-clients";
import { firstStepOf, SECOND_STEP_PATHS } from "./two-factor";
import { withDatabaseHooks } from "./database-hooks";

/** The session a request was made with, as better-auth's session middleware put it on the context. */
function currentSessionMethod(ctx: unknown): string | null {
  const session = (ctx as { context?: { session?: { session?: { signInMethod?: unknown } } } } | null)?.context?.session?.session;
  return typeof session?.signInMethod === "string" ? session.signInMethod : null;
}

export const signInContextPlugin = () =>
  ({
    id: "sign-in-context",
    init: withDatabaseHooks({
      session: {
        create: {
          before: async (session, ctx) => {
            const location = await locate((session as { ipAddress?: string | null }).ipAddress);
            // An OAuth callback's provider; for a second step, the provider its challenge began with.
            const providerId = ctx && SECOND_STEP_PATHS.has(ctx.path ?? "") ? await firstStepOf(ctx) : (ctx?.params as { id?: unknown } | undefined)?.id;
            const signInMethod = signInMethodOf(ctx?.path, currentSessionMethod(ctx), typeof providerId === "string" ? providerId : undefined);
            // A native sign-in's declared client (validated before better-auth ran).
            // A device-code sign-in's client id, named (also a claim: any program may send it).
            const declared = ctx?.path === "/sign-in/email" || SECOND_STEP_PATHS.has(ctx?.path ?? "") ? declaredClientOf(ctx?.headers) : null;
            const declaredClient = declared?.ok ? declared.label : ctx?.path === "/device/token" ? deviceClientName((ctx.body as { client_id?: unknown } | undefined)?.client_id) : null;
            return { data: { ...session, location, signInMethod, declaredClient } };
          },
        },
      },
    }),
  }) satisfies BetterAuthPlugin;
