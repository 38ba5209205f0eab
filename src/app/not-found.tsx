import Link from "next/link";
import { AuthCard } from "@/components/ui/card";

export const metadata = { title: "Page not found" };

export default function NotFound() {
  return (
    <AuthCard title="Page not found" description="The address may be mistyped, or the page may have moved.">
      <p className="text-sm">
        <Link href="/">Go to the home page</Link>
      </p>
    </AuthCard>
  );
}
