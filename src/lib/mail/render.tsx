// AuthEmail (data) -> subject + HTML + plain text, through the React Email templates.
import { render, toPlainText } from "@react-email/render";
import type { ReactElement } from "react";
import NewSignIn, { subject as newSignInSubject } from "@emails/new-sign-in";
import PasswordChanged, { subject as passwordChangedSubject } from "@emails/password-changed";
import PasswordReset, { subject as passwordResetSubject } from "@emails/password-reset";
import VerifyEmail, { subject as verifyEmailSubject } from "@emails/verify-email";
import Welcome, { subject as welcomeSubject } from "@emails/welcome";
import SecondFactorChanged, { subject as secondFactorChangedSubject } from "@emails/second-factor-changed";
import { safeLocale, safeTimeZone } from "@emails/_components/format";
import { safeDevice } from "@/lib/device";
import type { AuthEmail, RenderedEmail } from "./types";

export interface RenderDefaults {
  locale: string;
  timeZone: string;
}

interface Composed {
  subject: string;
  element: ReactElement;
  link: string;
}

// Devices are shown only as built from known tokens (safeDevice): a user agent is text
// anyone can send, and a subject line is the first thing an owner reads.
function compose(email: AuthEmail, defaults: RenderDefaults): Composed {
  // The message's own preference if Intl knows it, else the configured default (itself checked).
  const locale = safeLocale(email.locale, safeLocale(defaults.locale));
  const timeZone = safeTimeZone(email.timeZone, safeTimeZone(defaults.timeZone));
  switch (email.template) {
    case "verify-email":
      return {
        subject: verifyEmailSubject(),
        element: <VerifyEmail url={email.url} expiresInHours={email.expiresInHours} signedUpAgain={email.signedUpAgain} />,
        link: email.url,
      };
    case "password-reset":
      return {
        subject: passwordResetSubject(),
        element: <PasswordReset name={email.name} url={email.url} expiresInMinutes={email.expiresInMinutes} />,
        link: email.url,
      };
    case "password-changed":
      return {
        subject: passwordChangedSubject(),
        element: (
          <PasswordChanged
            name={email.name}
            at={email.at}
            reason={email.reason}
            device={safeDevice(email.device)}
            secureAccountUrl={email.secureAccountUrl}
            locale={locale}
            timeZone={timeZone}
          />
        ),
        link: email.secureAccountUrl,
      };
    case "new-sign-in":
      return {
        subject: newSignInSubject(safeDevice(email.device)),
        element: (
          <NewSignIn
            name={email.name}
            at={email.at}
            device={safeDevice(email.device)}
            signInMethod={email.signInMethod}
            providerName={email.providerName}
            activeDevicesUrl={email.activeDevicesUrl}
            reportSignInUrl={email.reportSignInUrl}
            locale={locale}
            timeZone={timeZone}
          />
        ),
        link: email.reportSignInUrl ?? email.activeDevicesUrl,
      };
    case "welcome":
      return {
        subject: welcomeSubject(),
        element: <Welcome name={email.name} activeDevicesUrl={email.activeDevicesUrl} />,
        link: email.activeDevicesUrl,
      };
    case "second-factor-changed":
      return {
        subject: secondFactorChangedSubject(email.change),
        element: (
          <SecondFactorChanged
            name={email.name}
            at={email.at}
            change={email.change}
            passkeyName={email.passkeyName}
            device={safeDevice(email.device)}
            securitySettingsUrl={email.securitySettingsUrl}
            locale={locale}
            timeZone={timeZone}
          />
        ),
        link: email.securitySettingsUrl,
      };
  }
}

/** Renders both parts of a message. */
export async function renderAuthEmail(email: AuthEmail, defaults: RenderDefaults): Promise<RenderedEmail> {
  const { subject, element, link } = compose(email, defaults);
  // One React render; the text part is derived from that HTML, exactly as
  // render(element, { plainText: true }) would (same converter, same selectors).
  const html = await render(element);
  const text = toPlainText(html);
  return { template: email.template, to: email.to, subject, html, text, link };
}
