// Support access: on every page, while this browser holds a support session, the admin reads
// whose account they are in and how long is left, and can stop. Server part: reads the
// session (lib/sessions/impersonation.ts); the bar itself is a client component (the clock).
import { headers } from "next/headers";
import { currentImpersonation } from "@/lib/sessions/impersonation";
import { ImpersonationBar } from "./impersonation-bar";

export async function ImpersonationBanner() {
  const current = await currentImpersonation(await headers());
  if (!current) return null;
  return <ImpersonationBar userName={current.userName} expiresAt={current.expiresAt.toISOString()} />;
}
