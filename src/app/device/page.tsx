// Where a command-line tool or TV sends its person (RFC 8628's verification URI): the
// code's request named by client, address and place, so the person approves only what
// they can see is theirs. Behind the proxy (signed in); it only reads: the buttons act.
import Link from "next/link";
import { DeviceApproval } from "@/components/device-approval";
import { Alert } from "@/components/ui/alert";
import { AuthCard } from "@/components/ui/card";
import { deviceRequestOf } from "@/lib/auth/device-flow";
import { env } from "@/lib/env";
import { requireUser } from "@/lib/sessions/current-user";
import { firstParam } from "@/lib/ui/search-params";

export const metadata = { title: "Approve a device", referrer: "no-referrer" };
export const dynamic = "force-dynamic";

// Codes are 8 letters/digits; a person may type them with a dash or in lower case.
const normalise = (code: string | undefined) => (code ?? "").replace(/[\s-]/g, "").toUpperCase().slice(0, 64);

/** Signed in recently enough to approve (the server checks again on approve). */
function isFresh(createdAt: number | undefined): boolean {
  return createdAt !== undefined && Date.now() - createdAt <= env().SESSION_FRESH_AGE * 1000;
}

export default async function DevicePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const userCode = normalise(firstParam((await searchParams).user_code));
  const here = userCode ? `/device?user_code=${encodeURIComponent(userCode)}` : "/device";
  const { session } = await requireUser(here);

  if (!userCode) {
    return (
      <AuthCard title="Connect a device" description="Enter the code your command-line tool or TV shows.">
        <form method="get" action="/device" className="grid gap-4">
          <label className="grid gap-1 text-sm font-medium">
            Code
            <input name="user_code" required autoComplete="off" autoCapitalize="characters" spellCheck={false} className="rounded-md border border-zinc-300 px-3 py-2 font-mono uppercase dark:border-zinc-700 dark:bg-zinc-900" />
          </label>
          <button type="submit" className="rounded-md bg-zinc-900 px-4 py-2 text-sm font-medium text-white dark:bg-zinc-100 dark:text-zinc-900">
            Continue
          </button>
        </form>
      </AuthCard>
    );
  }

  const request = await deviceRequestOf(userCode);
  if (!request || request.status !== "pending") {
    return (
      <AuthCard title="This code is not valid" footer={<Link href="/settings/security">Your devices</Link>}>
        <Alert tone="warning">It may have expired or already been used. Ask the device for a new code.</Alert>
      </AuthCard>
    );
  }
  const fresh = isFresh(session.createdAt);
  const where = [request.requesterIp, request.requesterLocation].filter(Boolean).join(" · ");
  return (
    <AuthCard
      title="Approve a device?"
      description={
        <>
          <strong className="text-zinc-900 dark:text-zinc-100">{request.clientName}</strong> is asking to sign in to your account
          {where ? <> from {where}</> : null}. Approve only if you started this yourself, on a device you are using now.
        </>
      }
      footer={<Link href="/settings/security">Cancel</Link>}
    >
      <p className="mb-4 text-sm">
        Code <span className="font-mono font-semibold">{request.userCode}</span>: check that the device shows the same one.
      </p>
      {!fresh && (
        <Alert tone="info" className="mb-4">
          You signed in a while ago: you will be asked to sign in again before approving.
        </Alert>
      )}
      <DeviceApproval userCode={request.userCode} clientName={request.clientName} signInAgain={`/sign-in?next=${encodeURIComponent(here)}`} />
    </AuthCard>
  );
}
