// Once per `npm run test:fault`: the production build (skipped with FAULT_SKIP_BUILD=1 or
// E2E_SKIP_BUILD=1 when .next is there: CI builds once for the e2e step).
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { buildOnce } from "../e2e/support/build";
import { assertReachable, PG_ADMIN_URL } from "../support/services";

export default async function setup() {
  await assertReachable("PostgreSQL", PG_ADMIN_URL);
  const dir = await mkdtemp(path.join(os.tmpdir(), "revocable-fault-build-"));
  try {
    await buildOnce("fault", path.join(dir, "build.log"), "FAULT_SKIP_BUILD", "E2E_SKIP_BUILD");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
