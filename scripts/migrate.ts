// `npm run db:migrate`: apply drizzle/ migrations to DATABASE_URL (from the environment
// or the .env files, see load-env.ts).
import "./load-env";
import { migratePostgres } from "../src/db/index";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is not set. (Without it, `npm run dev` migrates the embedded PGlite itself.)");
  process.exit(1);
}
await migratePostgres(url);
console.info("Migrations applied.");
