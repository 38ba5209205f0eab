// Operator CLI for the session index.
//   npm run sessions:reindex                 rebuild the Redis index from Postgres
//   npm run sessions:end-user -- <email>     end every session of one user, now
// Configuration comes from the environment or the .env files (load-env.ts).
import "./load-env";
import { runCommand } from "./run-command";
import { env } from "../src/lib/env";
import { getSessionIndex } from "../src/lib/session-index/index";
import { endAllSessionsOf, reindexFromDatabase } from "../src/lib/sessions/admin";

const [command, arg] = process.argv.slice(2);

async function main(): Promise<number> {
  env();
  if (getSessionIndex().kind === "memory") {
    console.error("REDIS_URL is not set: the in-process index lives inside the dev server; nothing to do here.");
    return 1;
  }
  switch (command) {
    case "reindex": {
      const started = Date.now();
      const { sessions } = await reindexFromDatabase();
      console.info(`Reindexed ${sessions} live sessions in ${Date.now() - started} ms.`);
      return 0;
    }
    case "end-user": {
      if (!arg) {
        console.error("Usage: npm run sessions:end-user -- <email>");
        return 2;
      }
      const result = await endAllSessionsOf(arg);
      if (!result) {
        console.error(`No user with email ${arg}.`);
        return 1;
      }
      console.info(`Ended ${result.ended} session(s) of ${arg} (user ${result.userId}).`);
      return 0;
    }
    default:
      console.error("Usage: tsx scripts/sessions.ts reindex | end-user <email>");
      return 2;
  }
}

runCommand(main);
