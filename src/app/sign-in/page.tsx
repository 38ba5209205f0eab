import Link from "next/link";
import { Suspense } from "react";
import { ProviderButtons } from "@/components/oauth/provider-buttons";
import { SignInForm } from "@/components/sign-in-form";
import { configuredProviders } from "@/lib/auth/oauth-providers";
import { env } from "@/lib/env";
import { AuthCard } from "@/components/ui/card";

export const metadata = { title: "Sign in" };
// The provider buttons follow the running configuration, not the build's.
export const dynamic = "force-dynamic";

export default function SignInPage() {
  return (
    <AuthCard
      title="Sign in"
      description="Welcome back. Sign in to see and manage the devices on your account."
      footer={
        <>
          New here? <Link href="/sign-up">Create an account</Link>
        </>
      }
    >
      <Suspense>
        <ProviderButtons providers={configuredProviders(env())} />
        <SignInForm />
      </Suspense>
    </AuthCard>
  );
}
