import Link from "next/link";
import { Suspense } from "react";
import { SignInForm } from "@/components/sign-in-form";
import { AuthCard } from "@/components/ui/card";

export const metadata = { title: "Sign in" };

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
        <SignInForm />
      </Suspense>
    </AuthCard>
  );
}
