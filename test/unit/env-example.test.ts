// .env.example is the reference for configuration: it must name every variable the env
// schema (src/lib/env.ts) reads, and nothing the schema does not read.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ENV_KEYS, parseEnv } from "@/lib/env";

/** Variable names in a .env file: `NAME=…` lines and commented-out `# NAME=…` lines. */
function envFileNames(text: string): string[] {
  const names: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:#\s*)?([A-Z][A-Z0-9_]*)=/.exec(line);
    if (match) names.push(match[1]!);
  }
  return names;
}

/** The values a copy of the file sets (commented-out lines set nothing). */
function envFileValues(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match) values[match[1]!] = match[2]!.trim();
  }
  return values;
}

const example = readFileSync(path.join(import.meta.dirname, "../../.env.example"), "utf8");
const documented = envFileNames(example);

describe(".env.example", () => {
  it("reads set and commented-out variables, not prose that mentions one", () => {
    const names = envFileNames(
      ["# A comment.", "APP_URL=http://localhost:3000", "# NODE_ENV=production", "# e.g. REDIS_URL=redis://x", "  EMPTY="].join("\n"),
    );
    expect(names).toEqual(["APP_URL", "NODE_ENV", "EMPTY"]);
  });

  it("lists every variable the env schema reads", () => {
    expect(ENV_KEYS.filter((key) => !documented.includes(key))).toEqual([]);
  });

  it("lists no variable the env schema does not read", () => {
    expect(documented.filter((name) => !ENV_KEYS.includes(name))).toEqual([]);
  });

  it("works as copied: `cp .env.example .env.local` gives a valid development configuration", () => {
    const config = parseEnv({ NODE_ENV: "development", ...envFileValues(example) });
    // Empty values mean "unset": embedded database, in-process index, outbox, dev secret.
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.RESEND_API_KEY).toBeUndefined();
    expect(config.BETTER_AUTH_SECRET.length).toBeGreaterThanOrEqual(32);
  });

  it("lists each variable once", () => {
    expect(documented.filter((name, i) => documented.indexOf(name) !== i)).toEqual([]);
  });
});
