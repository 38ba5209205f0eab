// Where better-auth's reset link lands: ?token=... when valid, ?error=INVALID_TOKEN when not.
import Link from "next/link";
import { InvalidResetLink, ResetPasswordForm } from "@/components/reset-password-form";
import { AuthCard } from "@/components/ui/card";
import { firstParam } from "@/lib/ui/search-params";

export const metadata = { title: "Choose a new password" };

export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const token = firstParam(params.token);
  const error = firstParam(params.error);
  const valid = !error && !!token;
  return (
    <AuthCard
      title={valid ? "Choose a new password" : "Reset your password"}
      footer={
        <>
          Remembered it? <Link href="/sign-in">Sign in</Link>
        </>
      }
    >
      {valid ? <ResetPasswordForm token={token} /> : <InvalidResetLink />}
    </AuthCard>
  );
}
