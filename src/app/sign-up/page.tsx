import Link from "next/link";
import { SignUpForm } from "@/components/sign-up-form";

export const metadata = { title: "Create an account" };

export default function SignUpPage() {
  return (
    <>
      <h1>Create an account</h1>
      <SignUpForm />
      <p className="muted">
        Already have an account? <Link href="/sign-in">Sign in</Link>
      </p>
    </>
  );
}
