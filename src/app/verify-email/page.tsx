// The emailed verification link's page. With ?token= (the link's GET redirects here): say
// which address the link verifies and ask for a click; only the button's POST
// (/api/verify-email) verifies, and signs in a browser that has no session. Mail scanners
// open links, and a link from someone else must not switch the account this browser is
// signed in to. Without a token: the page the confirmation continues to (the link's
// callbackURL), or ?error=CODE.
import Link from "next/link";
import { headers } from "next/headers";
import { ResendVerificationForm } from "@/components/resend-verification-form";
import { VerifyEmailConfirm } from "@/components/verify-email-confirm";
import { buttonClasses } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";
import { AuthCard } from "@/components/ui/card";
import { dbReady } from "@/db";
import { inspectVerificationLink } from "@/lib/auth/verification-confirm";
import { safeNextPath } from "@/lib/safe-next";
import { sessionOfRequest } from "@/lib/sessions/request";
import { firstParam } from "@/lib/ui/search-params";

// The page's URL may hold the link's token: never send it on as a Referer.
export const metadata = { title: "Verify your email", referrer: "no-referrer" };
export const dynamic = "force-dynamic";

async function signedIn(): Promise<boolean> {
  try {
    await dbReady();
    return (await sessionOfRequest(await headers())).ok;
  } catch {
    return false;
  }
}

async function inspect(token: string) {
  await dbReady();
  return inspectVerificationLink(token);
}

export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const token = firstParam(params.token);
  let error = firstParam(params.error)?.toUpperCase();
  if (token && !error) {
    const link = await inspect(token);
    if (!link.ok) error = link.problem;
    else {
      const isSignedIn = await signedIn();
      return (
        <AuthCard title="Confirm your email address">
          <div className="grid gap-6">
            <p className="text-sm text-zinc-700 dark:text-zinc-300">
              Confirm that <strong className="break-all text-zinc-900 dark:text-zinc-100">{link.email}</strong> is your email address.
              {isSignedIn
                ? " You're signed in to another account in this browser, and you'll stay signed in to it."
                : " You'll be signed in to this account."}
            </p>
            <VerifyEmailConfirm token={token} continueTo={safeNextPath(firstParam(params.callbackURL), "/verify-email")} />
            <p className="text-sm text-zinc-600 dark:text-zinc-400">Didn&apos;t sign up with this address? Close this page: nothing changes.</p>
          </div>
        </AuthCard>
      );
    }
  }
  const next = safeNextPath(firstParam(params.next));
  const callbackURL = next === "/settings/security" ? "/verify-email" : `/verify-email?next=${encodeURIComponent(next)}`;

  if (error) {
    const expired = error === "TOKEN_EXPIRED";
    const noUser = error === "USER_NOT_FOUND";
    return (
      <AuthCard
        title={expired ? "This link has expired" : "This link isn't valid"}
        footer={
          <>
            Already verified? <Link href="/sign-in">Sign in</Link>
          </>
        }
      >
        <div className="grid gap-6">
          <Alert tone="error" role="alert">
            {expired
              ? "Verification links work for 24 hours. Enter your email and we'll send you a new one."
              : noUser
                ? "We couldn't find the account this link was for. It may have been deleted: you can create a new one."
                : "The link may be incomplete: some email apps break long links. Enter your email and we'll send you a new one."}
          </Alert>
          {noUser ? (
            <Link href="/sign-up" className={buttonClasses("primary", "no-underline hover:no-underline")}>
              Create an account
            </Link>
          ) : (
            <ResendVerificationForm callbackURL={callbackURL} />
          )}
        </div>
      </AuthCard>
    );
  }

  const isSignedIn = await signedIn();
  return (
    <AuthCard title="Your email address is verified">
      <div className="grid gap-6">
        <Alert tone="success" role="status">
          {isSignedIn ? "Thanks for confirming. You're signed in." : "Thanks for confirming. Sign in to continue."}
        </Alert>
        <Link
          href={isSignedIn ? next : `/sign-in?next=${encodeURIComponent(next)}`}
          className={buttonClasses("primary", "w-full no-underline hover:no-underline")}
        >
          {isSignedIn ? "Continue" : "Sign in"}
        </Link>
      </div>
    </AuthCard>
  );
}
