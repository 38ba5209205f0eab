// The embedded database (PGlite, `npm run dev` with no DATABASE_URL) runs the same drizzle/
// migrations on start (src/db/index.ts): every table the app's better-auth plugins use must
// come out of them there too, the passkey table (0011_passkeys) included.
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import { describe, expect, it } from "vitest";

describe("embedded PGlite", () => {
  it("migrates the passkey table with the columns better-auth's passkey plugin writes", async () => {
    const client = new PGlite();
    try {
      await migrate(drizzle(client), { migrationsFolder: path.join(process.cwd(), "drizzle") });
      const { rows } = await client.query<{ column_name: string }>(
        "select column_name from information_schema.columns where table_name = 'passkey' order by ordinal_position",
      );
      expect(rows.map((r) => r.column_name)).toEqual(["id", "name", "public_key", "user_id", "credential_id", "counter", "device_type", "backed_up", "transports", "created_at", "aaguid"]);
      // One credential id, one row: the plugin looks passkeys up by it at sign-in.
      await client.query(`insert into "user" (id, name, email, email_verified, created_at, updated_at) values ('u', 'U', 'u@example.test', true, now(), now())`);
      const row = `('p%', null, 'k', 'u', 'same', 0, 'singleDevice', false, 'internal', now(), null)`;
      await client.query(`insert into passkey values ${row.replace("%", "1")}`);
      await expect(client.query(`insert into passkey values ${row.replace("%", "2")}`)).rejects.toThrow(/unique/i);
    } finally {
      await client.close();
    }
  }, 60_000);
});
