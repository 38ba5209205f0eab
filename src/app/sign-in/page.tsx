import Link from "next/link";
import { Suspense } from "react";
import { SignInForm } from "@/components/sign-in-form";

export const metadata = { title: "Sign in" };

export default function SignInPage() {
  return (
    <>
      <h1>Sign in</h1>
      <Suspense>
        <SignInForm />
      </Suspense>
      <p className="muted">
        New here? <Link href="/sign-up">Create an account</Link>
      </p>
    </>
  );
}
