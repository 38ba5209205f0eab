// Where the new-sign-in email's "This wasn't me" link lands. Mail scanners open links, so
// this page only reads (inspectReport): it says which sign-in the link is about and asks
// for a click; the button's POST (/api/report-sign-in) is what ends the session.
import Link from "next/link";
import { ReportSignInForm } from "@/components/report-sign-in";
import { Alert } from "@/components/ui/alert";
import { AuthCard } from "@/components/ui/card";
import { inspectReport, type TokenProblem } from "@/lib/security/report-sign-in";
import { firstParam } from "@/lib/ui/search-params";

export const metadata = { title: "Sign out a device you don't recognise", referrer: "no-referrer" };
export const dynamic = "force-dynamic";

const PROBLEMS: Record<TokenProblem, { title: string; text: string }> = {
  invalid: { title: "This link is not valid", text: "Open the link exactly as it appears in the email. Nothing was changed." },
  expired: {
    title: "This link has expired",
    text: "Sign in and review your devices on the Security page, or reset your password: that signs out every device.",
  },
  used: { title: "This link was already used", text: "That device was signed out when the link was first used. Nothing else was changed." },
};

export default async function ReportSignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const token = firstParam((await searchParams).token);
  const inspection = await inspectReport(token);
  if (!inspection.ok || !token) {
    const problem = PROBLEMS[inspection.ok ? "invalid" : inspection.problem];
    return (
      <AuthCard title={problem.title} footer={<Link href="/sign-in">Sign in</Link>}>
        <div className="grid gap-4">
          <Alert tone="warning">{problem.text}</Alert>
          <Link href="/forgot-password" className="text-sm font-medium underline">
            Reset your password
          </Link>
        </div>
      </AuthCard>
    );
  }
  const s = inspection.session;
  const where = s ? [s.ipAddress, s.location].filter(Boolean).join(" · ") : "";
  return (
    <AuthCard
      title="Wasn't you?"
      description={
        s ? (
          <>
            A sign-in to your account from <strong className="text-zinc-900 dark:text-zinc-100">{s.device}</strong>
            {where && <> ({where})</>}. If it wasn&apos;t you, sign that device out now. You don&apos;t need to be signed in.
          </>
        ) : (
          <>The sign-in this link is about has already ended. You can still report it and secure your account.</>
        )
      }
      footer={<Link href="/sign-in">Sign in instead</Link>}
    >
      <ReportSignInForm token={token} device={s?.device ?? null} />
    </AuthCard>
  );
}
