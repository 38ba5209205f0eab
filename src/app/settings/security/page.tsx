import { SecuritySettings } from "@/components/security-settings";
import { SignOutButton } from "@/components/sign-out-button";
import { configuredProviders } from "@/lib/auth/oauth-providers";
import { hasPassword } from "@/lib/auth/password";
import { env } from "@/lib/env";
import { requireUser } from "@/lib/sessions/current-user";

export const metadata = { title: "Security" };
export const dynamic = "force-dynamic";

export default async function SecurityPage() {
  const { user } = await requireUser("/settings/security");
  const withPassword = await hasPassword(user.id);
  return (
    <div className="grid gap-8">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div className="min-w-0">
          <h1 className="text-2xl font-semibold tracking-tight sm:text-3xl">Security</h1>
          <p className="mt-1 text-sm wrap-anywhere text-zinc-600 dark:text-zinc-400">
            Signed in as <strong className="text-zinc-900 dark:text-zinc-100">{user.name}</strong> ({user.email})
          </p>
        </div>
        <SignOutButton />
      </div>
      <SecuritySettings providers={configuredProviders(env())} twoFactorEnabled={user.twoFactorEnabled === true} hasPassword={withPassword} email={user.email} />
    </div>
  );
}
