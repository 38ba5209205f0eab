import Link from "next/link";
import { ResendVerificationForm } from "@/components/resend-verification-form";
import { AuthCard } from "@/components/ui/card";
import { firstParam } from "@/lib/ui/search-params";

export const metadata = { title: "Check your email" };

export default async function CheckEmailPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const email = firstParam(params.email)?.slice(0, 254) ?? "";
  const resent = firstParam(params.resent) === "1";
  return (
    <AuthCard
      title="Check your email"
      description={
        email ? (
          <p>
            We sent a verification link to <strong className="wrap-anywhere text-zinc-900 dark:text-zinc-100">{email}</strong>. Open it
            to finish creating your account. The link works for 24 hours.
          </p>
        ) : (
          <p>We sent you a verification link. Open it to finish creating your account. The link works for 24 hours.</p>
        )
      }
      footer={
        <>
          Already verified? <Link href="/sign-in">Sign in</Link>
        </>
      }
    >
      <div className="grid gap-6">
        <ul className="grid list-disc gap-1 pl-5 text-sm text-zinc-600 dark:text-zinc-400">
          <li>It can take a minute to arrive. Check your spam or junk folder too.</li>
          <li>If the address above is misspelled, create your account again with the right one.</li>
        </ul>
        <div className="border-t border-zinc-200 pt-6 dark:border-zinc-800">
          <h2 className="mb-3 text-sm font-semibold">Didn&apos;t get it?</h2>
          <ResendVerificationForm defaultEmail={email} initiallySent={resent} />
        </div>
      </div>
    </AuthCard>
  );
}
