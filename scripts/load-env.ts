// Loads .env files the way `next dev` / `next start` do (.env.development.local,
// .env.local, .env.development, .env in Next's order; variables already set in the
// environment win), so an operator script sees the configuration the app sees.
// Import it FIRST in every script: ES imports run in order, and src/lib/env.ts reads
// process.env on first use.
import path from "node:path";
import nextEnv from "@next/env";

const projectDir = path.resolve(import.meta.dirname, "..");
nextEnv.loadEnvConfig(projectDir, process.env.NODE_ENV !== "production");
