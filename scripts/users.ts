// Operator CLI for accounts. Roles are set here only: no HTTP route sets one.
//   npm run users:role -- <email> <user|admin>
// Configuration comes from the environment or the .env files (load-env.ts).
import "./load-env";
import { userInfo } from "node:os";
import { runCommand } from "./run-command";
import { dbReady } from "../src/db";
import { flushBackground } from "../src/lib/background";
import { env } from "../src/lib/env";
import { recordAdminAction } from "../src/lib/admin/audit";
import { isRole, ROLES, setRoleByEmail } from "../src/lib/admin/roles";

const [command, email, role] = process.argv.slice(2);

async function main(): Promise<number> {
  env();
  if (command !== "role" || !email || !role) {
    console.error(`Usage: npm run users:role -- <email> <${ROLES.join("|")}>`);
    return 2;
  }
  if (!isRole(role)) {
    console.error(`Unknown role "${role}": use one of ${ROLES.join(", ")}.`);
    return 2;
  }
  // The embedded database (no DATABASE_URL) opens and migrates asynchronously.
  await dbReady();
  const changed = await setRoleByEmail(email, role);
  if (!changed) {
    console.error(`No user with email ${email}.`);
    return 1;
  }
  const operator = `operator:${userInfo().username}`;
  await recordAdminAction(
    { id: null, email: operator, name: operator, sessionId: null, ipAddress: null, userAgent: "npm run users:role" },
    "role.set",
    { id: changed.id, email: changed.email },
    { role, previous: changed.previous },
  );
  // The user's own Recent activity entry is written in the background: wait for it.
  await flushBackground();
  console.info(`${changed.email} is now ${role} (was ${changed.previous ?? "user"}).`);
  return 0;
}

runCommand(main);
