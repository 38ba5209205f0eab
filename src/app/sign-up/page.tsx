import Link from "next/link";
import { SignUpForm } from "@/components/sign-up-form";
import { AuthCard } from "@/components/ui/card";

export const metadata = { title: "Create an account" };

export default function SignUpPage() {
  return (
    <AuthCard
      title="Create an account"
      description="See every device signed in to your account, and end any of them instantly."
      footer={
        <>
          Already have an account? <Link href="/sign-in">Sign in</Link>
        </>
      }
    >
      <SignUpForm />
    </AuthCard>
  );
}
