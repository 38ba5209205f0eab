"use client";
// The confirm button of /verify-email?token=: the POST that verifies the address (the
// emailed link's GET only shows this page), then on to where the link was going.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { failureMessage } from "@/lib/ui/failure-message";
import { confirmVerification } from "@/lib/ui/security-api";

/** What the page says about a link that fails on the POST (it was fine when the page was rendered). */
const PAGE_ERRORS: Record<string, string> = { invalid_link: "INVALID_TOKEN", link_expired: "TOKEN_EXPIRED", account_not_found: "USER_NOT_FOUND" };

export function VerifyEmailConfirm({ token, continueTo }: { token: string; continueTo: string }) {
  const router = useRouter();
  const [state, setState] = useState<{ pending: boolean; error: string | null }>({ pending: false, error: null });

  async function confirm() {
    setState({ pending: true, error: null });
    const result = await confirmVerification(token);
    if (result.ok) {
      // A full load: the pages ahead read the session cookie this answer may have set.
      window.location.assign(continueTo);
      return;
    }
    const pageError = result.code ? PAGE_ERRORS[result.code] : undefined;
    if (pageError) {
      router.replace(`/verify-email?error=${pageError}`);
      return;
    }
    setState({ pending: false, error: failureMessage(result) });
  }

  return (
    <div className="grid gap-4">
      {state.error && (
        <Alert tone="error" role="alert">
          {state.error}
        </Alert>
      )}
      <Button onClick={confirm} pending={state.pending} pendingText="Confirming…">
        Confirm my email address
      </Button>
    </div>
  );
}
