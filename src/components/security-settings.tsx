"use client";
// The interactive half of /settings/security: the Active devices panel, the change
// password form (which reloads the panel once the other devices are signed out; an account
// without a password gets the link to set one instead), two-factor, passkeys and Recent activity.
import { Suspense, useState } from "react";
import { ActiveDevices } from "@/components/active-devices";
import { ChangePasswordForm } from "@/components/change-password-form";
import { RecentActivity } from "@/components/recent-activity";
import { Card } from "@/components/ui/card";
import { LinkedAccounts } from "@/components/oauth/linked-accounts";
import type { ProviderButton } from "@/components/oauth/provider-buttons";
import { TwoFactorSettings } from "@/components/two-factor-settings";
import { PasskeySettings } from "@/components/passkey-settings";
import { SetPasswordByEmail } from "@/components/set-password-by-email";

export function SecuritySettings({
  providers = [],
  twoFactorEnabled = false,
  hasPassword = true,
  email,
}: {
  providers?: ProviderButton[];
  twoFactorEnabled?: boolean;
  /** False for an account made through a provider: it confirms with a fresh sign-in instead. */
  hasPassword?: boolean;
  /** The account's address: where the link to set a password goes when it has none. */
  email: string;
}) {
  const [refresh, setRefresh] = useState(0);
  const [otherDevices, setOtherDevices] = useState<number | null>(null);
  return (
    <div className="grid gap-6">
      <Card className="p-4 sm:p-6">
        <ActiveDevices
          refreshSignal={refresh}
          hasPassword={hasPassword}
          onSessions={(sessions) => setOtherDevices(sessions ? sessions.filter((s) => !s.isCurrent).length : null)}
        />
      </Card>
      <Card className="p-4 sm:p-6">
        {hasPassword ? (
          <ChangePasswordForm otherDevices={otherDevices} onChanged={() => setRefresh((n) => n + 1)} />
        ) : (
          <SetPasswordByEmail email={email} />
        )}
      </Card>
      {/* Only where a provider is configured: otherwise the page is as it always was. */}
      {providers.length > 0 && (
        <Suspense>
          <LinkedAccountsCard providers={providers} />
        </Suspense>
      )}
      <Card className="p-4 sm:p-6">
        <TwoFactorSettings initiallyEnabled={twoFactorEnabled} hasPassword={hasPassword} />
      </Card>
      <Card className="p-4 sm:p-6">
        <PasskeySettings />
      </Card>
      <Card className="p-4 sm:p-6">
        <RecentActivity refreshSignal={refresh} />
      </Card>
    </div>
  );
}

function LinkedAccountsCard({ providers }: { providers: ProviderButton[] }) {
  return (
    <Card className="p-4 sm:p-6">
      <LinkedAccounts providers={providers} />
    </Card>
  );
}
