// The auth emails the product sends, as data. Templates in emails/ render them.
import type { Device } from "@/lib/device";
import type { SignInMethod } from "@/lib/sign-in-context";

/**
 * How times in a message are shown. Unset or unknown values fall back to DEFAULT_LOCALE /
 * DEFAULT_TIME_ZONE (env); the user's own preferences go here once the app stores them.
 */
export interface TimePreferences {
  /** BCP 47 tag, e.g. "en-GB" */
  locale?: string;
  /** IANA zone, e.g. "Europe/Berlin" */
  timeZone?: string;
}

export type AuthEmail = TimePreferences &
  (
    | {
        template: "verify-email";
        to: string;
        url: string;
        expiresInHours: number;
        /** The address was signed up again before it was verified: this link replaces the earlier ones. */
        signedUpAgain?: boolean;
      }
    /** name: null for an address not yet verified (the name may be a stranger's). */
    | { template: "password-reset"; to: string; name: string | null; url: string; expiresInMinutes: number }
    | {
        template: "password-changed";
        to: string;
        name: string;
        at: Date;
        /** "change": signed-in change (other devices signed out); "reset": via emailed link (all signed out) */
        reason: "change" | "reset";
        device: Device;
        secureAccountUrl: string;
      }
    | {
        template: "new-sign-in";
        to: string;
        name: string;
        at: Date;
        device: Device;
        signInMethod?: SignInMethod | null;
        /** The OIDC provider's configured name, for a sign-in made with it. */
        providerName?: string;
        activeDevicesUrl: string;
        /** "This wasn't me" link for this session, when one was issued. */
        reportSignInUrl?: string;
      }
    | { template: "welcome"; to: string; name: string; activeDevicesUrl: string }
    | {
        template: "second-factor-changed";
        to: string;
        name: string;
        at: Date;
        change: "two-factor-enabled" | "two-factor-disabled" | "passkey-added" | "passkey-removed";
        /** The passkey's name, for a passkey change. */
        passkeyName?: string;
        device: Device;
        securitySettingsUrl: string;
      }
  );

export type AuthEmailTemplate = AuthEmail["template"];

/** A message ready to deliver: both parts rendered, plus what the outbox/log need. */
export interface RenderedEmail {
  template: AuthEmailTemplate;
  to: string;
  subject: string;
  html: string;
  text: string;
  /** The message's one action link (verify, reset, secure the account, active devices). */
  link: string;
}
