// better-auth's handler: sign-up, sign-in, sign-out, verification, password flows.
import { dbReady } from "@/db";
import { getAuth } from "@/lib/auth";

async function handle(request: Request): Promise<Response> {
  await dbReady();
  return getAuth().handler(request);
}

export { handle as GET, handle as POST };
