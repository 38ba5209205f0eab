// The ending every operator command shares: run it, close the database pool (so the process
// can exit), exit with its code; an error prints its message and exits 1.
import { closeDb } from "../src/db/index";

export function runCommand(main: () => Promise<number>): void {
  main()
    .then(async (code) => {
      await closeDb();
      process.exit(code);
    })
    .catch((err: unknown) => {
      console.error((err as Error).message);
      process.exit(1);
    });
}
