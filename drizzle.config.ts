import { defineConfig } from "drizzle-kit";

// Migrations are generated from src/db/schema.ts into drizzle/ and committed.
// `npm run db:migrate` applies them (scripts/migrate.ts), as does dev start-up on PGlite.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema.ts",
  out: "./drizzle",
  dbCredentials: { url: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres" },
});
