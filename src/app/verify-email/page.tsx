// Where better-auth's verification link lands (its callbackURL). Success: the link
// signed this browser in (autoSignInAfterVerification). Failure: ?error=CODE.
import Link from "next/link";
import { headers } from "next/headers";
import { ResendVerificationForm } from "@/components/resend-verification-form";
import { buttonClasses } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";
import { AuthCard } from "@/components/ui/card";
import { dbReady } from "@/db";
import { safeNextPath } from "@/lib/safe-next";
import { sessionOfRequest } from "@/lib/sessions/request";
import { firstParam } from "@/lib/ui/search-params";

export const metadata = { title: "Verify your email" };
export const dynamic = "force-dynamic";

async function signedIn(): Promise<boolean> {
  try {
    await dbReady();
    return (await sessionOfRequest(await headers())).ok;
  } catch {
    return false;
  }
}

export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const error = firstParam(params.error)?.toUpperCase();
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
