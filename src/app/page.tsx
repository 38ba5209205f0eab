import Link from "next/link";
import { redirect } from "next/navigation";
import { buttonClasses } from "@/components/ui/button";
import { firstParam } from "@/lib/ui/search-params";

// A verification link that better-auth sent without a callbackURL (the one re-sent on
// an unverified sign-in) lands here, with ?error=CODE when it failed.
const VERIFICATION_ERRORS = new Set(["INVALID_TOKEN", "TOKEN_EXPIRED", "USER_NOT_FOUND"]);

export default async function Home({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const error = firstParam((await searchParams).error)?.toUpperCase();
  if (error && VERIFICATION_ERRORS.has(error)) redirect(`/verify-email?error=${error}`);
  return (
    <div className="mx-auto max-w-2xl py-8 text-center sm:py-16">
      <h1 className="text-4xl font-semibold tracking-tight sm:text-5xl">Sign-ins you can end instantly.</h1>
      <p className="mt-5 text-lg text-zinc-600 dark:text-zinc-400">
        See every device signed in to your account and sign any of them out. It takes effect on that device&apos;s very
        next click, and so does a password change or reset.
      </p>
      <div className="mt-8 flex flex-col justify-center gap-3 sm:flex-row">
        <Link href="/sign-up" className={buttonClasses("primary", "no-underline hover:no-underline")}>
          Create an account
        </Link>
        <Link href="/sign-in" className={buttonClasses("secondary", "no-underline hover:no-underline")}>
          Sign in
        </Link>
      </div>
      <p className="mt-6 text-sm">
        <Link href="/settings/security" prefetch={false}>Go to your Active devices</Link>
      </p>
    </div>
  );
}
