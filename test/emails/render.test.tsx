// Every template rendered to HTML and plain text through the mail module: the link, the
// expiry and the device details appear in both parts, and nothing is left unfilled.
import { render } from "@react-email/render";
import { createElement, type ComponentType } from "react";
import { describe, expect, it } from "vitest";
import * as newSignIn from "@emails/new-sign-in";
import * as passwordChanged from "@emails/password-changed";
import * as secondFactorChanged from "@emails/second-factor-changed";
import * as passwordReset from "@emails/password-reset";
import * as verifyEmail from "@emails/verify-email";
import * as welcome from "@emails/welcome";
import { formatWhen, greetingName, safeLocale, safeTimeZone } from "@emails/_components/format";
import type { Device } from "@/lib/device";
import { renderAuthEmail, type AuthEmail, type RenderedEmail } from "@/lib/mail";

const DEFAULTS = { locale: "en-US", timeZone: "UTC" };
const AT = new Date("2025-03-04T14:05:09Z");
// Links with a query string: "&" must survive as &amp; in HTML and as "&" in text.
const VERIFY_URL = "https://app.example.test/api/auth/verify-email?token=eyJ.verify.tok&callbackURL=%2Fsettings";
const RESET_URL = "https://app.example.test/api/auth/reset-password/RsT0k3n?callbackURL=%2Freset-password";
const SECURE_URL = "https://app.example.test/forgot-password";
const DEVICES_URL = "https://app.example.test/settings/security";
const MAC: Device = { label: "Chrome 131 on macOS", browser: "Chrome 131", os: "macOS 10.15.7", deviceType: "desktop", ipAddress: "203.0.113.24", location: "Cape Town, South Africa" };
const IPHONE: Device = { label: "Safari on iPhone", browser: "Mobile Safari 17", os: "iOS 17.5", deviceType: "mobile", ipAddress: "2001:db8::7", location: "São Paulo, Brazil" };

const PLACEHOLDERS = ["undefined", "null", "{{", "}}", "NaN", "Invalid Date", "[object Object]"];

function expectFilled(message: RenderedEmail) {
  for (const part of [message.html, message.text, message.subject]) {
    for (const bad of PLACEHOLDERS) expect(part, `found "${bad}"`).not.toContain(bad);
  }
}

/** The visible HTML: without the hidden inbox-preview line, so a needle must be in the body. */
function visibleHtml(html: string): string {
  const withoutPreview = html.replace(/<div[^>]*data-skip-in-text="true"[^>]*>.*?<\/div><\/div>/s, "");
  expect(withoutPreview.length).toBeLessThan(html.length);
  return withoutPreview;
}

/** In both parts: literally in the text, HTML-escaped in the visible HTML. */
function expectInBoth(message: RenderedEmail, ...needles: string[]) {
  const html = visibleHtml(message.html);
  for (const needle of needles) {
    expect(message.text).toContain(needle);
    expect(html).toContain(needle.replaceAll("&", "&amp;").replaceAll("'", "&#x27;"));
  }
}

function expectCommonLayout(message: RenderedEmail) {
  expect(message.html).toMatch(/^<!DOCTYPE html/);
  expect(message.html).toContain('lang="en"');
  expect(message.html).toContain("Revocable");
  expect(message.text).toContain("Revocable");
  expect(message.text).toContain("automated security message");
  // The plain-text part is text: no tags, no CSS, and not the hidden inbox preview line.
  expect(message.text).not.toMatch(/<[a-z][^>]*>/i);
  expect(message.text).not.toContain("font-size");
  expect(message.subject.trim().length).toBeGreaterThan(5);
}

describe("verify-email", () => {
  it("has the link and the 24-hour expiry in HTML and text", async () => {
    const m = await renderAuthEmail(
      { template: "verify-email", to: "ada@example.test", url: VERIFY_URL, expiresInHours: 24 },
      DEFAULTS,
    );
    expectCommonLayout(m);
    expectFilled(m);
    expect(m.subject).toBe("Confirm your email address");
    expect(m.link).toBe(VERIFY_URL);
    expect(m.html).toContain(`href="${VERIFY_URL.replaceAll("&", "&amp;")}"`);
    // No name: it was typed by whoever signed up, not (yet) known to be the address's owner.
    expectInBoth(m, VERIFY_URL, "expires in 24 hours", "Hi,");
  });

  it("says 1 hour, not 1 hours", async () => {
    const m = await renderAuthEmail(
      { template: "verify-email", to: "x@example.test", url: VERIFY_URL, expiresInHours: 1 },
      DEFAULTS,
    );
    expectFilled(m);
    expectInBoth(m, "expires in 1 hour.", "Hi,");
  });
});

describe("password-reset", () => {
  it("has the link, 60 minutes, single use and 'ignore if it wasn't you'", async () => {
    const m = await renderAuthEmail(
      { template: "password-reset", to: "ada@example.test", name: "Ada", url: RESET_URL, expiresInMinutes: 60 },
      DEFAULTS,
    );
    expectCommonLayout(m);
    expectFilled(m);
    expect(m.subject).toBe("Reset your password");
    expect(m.html).toContain(`href="${RESET_URL}"`);
    expectInBoth(m, RESET_URL, "expires in 60 minutes", "works only once", "If it wasn't you, ignore this email", "Hi Ada,");
  });

  it("greets nobody by name for an address not yet verified (name: null)", async () => {
    const m = await renderAuthEmail({ template: "password-reset", to: "x@example.test", name: null, url: RESET_URL, expiresInMinutes: 60 }, DEFAULTS);
    expectFilled(m);
    expectInBoth(m, "Hi,");
  });
});

describe("password-changed", () => {
  const base = {
    template: "password-changed" as const,
    to: "ada@example.test",
    name: "Ada",
    at: AT,
    device: MAC,
    secureAccountUrl: SECURE_URL,
  };

  it("after a change: when, device, other sessions signed out, secure-account link", async () => {
    const m = await renderAuthEmail({ ...base, reason: "change" }, DEFAULTS);
    expectCommonLayout(m);
    expectFilled(m);
    expect(m.subject).toBe("Your password was changed");
    expect(m.link).toBe(SECURE_URL);
    expectInBoth(
      m,
      "March 4, 2025 at 2:05:09 PM UTC",
      "Chrome 131 on macOS",
      "Chrome 131",
      "macOS 10.15.7",
      "203.0.113.24",
      "Cape Town, South Africa",
      "all other sessions were signed out",
      "from a signed-in device",
      SECURE_URL,
    );
    expect(m.text).not.toContain("all sessions were signed out");
    expect(m.text).toContain("Location (approximate): Cape Town, South Africa");
  });

  it("after a reset: all sessions were signed out", async () => {
    const m = await renderAuthEmail({ ...base, reason: "reset" }, DEFAULTS);
    expectFilled(m);
    expectInBoth(m, "all sessions were signed out, on every device", "with a password reset link");
    expect(m.text).not.toContain("all other sessions");
  });

  it("formats the time in the message's locale and time zone", async () => {
    const m = await renderAuthEmail({ ...base, reason: "change", locale: "de-DE", timeZone: "Europe/Berlin" }, DEFAULTS);
    expectFilled(m);
    expectInBoth(m, "4. März 2025 um 15:05:09 MEZ");
  });

  it("falls back to the configured defaults for a missing or unknown locale/zone", async () => {
    const defaults = { locale: "en-GB", timeZone: "America/New_York" };
    const unset = await renderAuthEmail({ ...base, reason: "change" }, defaults);
    expectInBoth(unset, "4 March 2025 at 09:05:09 GMT-5");
    const bogus = await renderAuthEmail({ ...base, reason: "change", locale: "not a locale!", timeZone: "Mars/Olympus" }, defaults);
    expectFilled(bogus);
    expectInBoth(bogus, "4 March 2025 at 09:05:09 GMT-5");
  });

  it("shows Unknown, never null, for device details it does not have", async () => {
    const m = await renderAuthEmail(
      { ...base, reason: "reset", device: { label: "Unknown device", browser: null, os: null, deviceType: "unknown", ipAddress: null, location: null } },
      DEFAULTS,
    );
    expectFilled(m);
    expect(m.text).toContain("Browser: Unknown");
    expect(m.text).toContain("IP address: Unknown");
    expect(m.text).toContain("Location (approximate): Unknown location");
  });
});

describe("new-sign-in", () => {
  it("has device, browser, OS, IP, time and the Active devices link", async () => {
    const m = await renderAuthEmail(
      { template: "new-sign-in", to: "ada@example.test", name: "Ada", at: AT, device: IPHONE, activeDevicesUrl: DEVICES_URL },
      DEFAULTS,
    );
    expectCommonLayout(m);
    expectFilled(m);
    expect(m.subject).toBe("New sign-in to your account from Safari on iPhone");
    expect(m.link).toBe(DEVICES_URL);
    expect(m.html).toContain(`href="${DEVICES_URL}"`);
    expect(m.text).toContain("Device: Safari on iPhone");
    expect(m.text).toContain("Browser: Mobile Safari 17");
    expect(m.text).toContain("Operating system: iOS 17.5");
    expect(m.text).toContain("IP address: 2001:db8::7");
    expect(m.text).toContain("Time: March 4, 2025 at 2:05:09 PM UTC");
    expectInBoth(m, "Safari on iPhone", "Mobile Safari 17", "iOS 17.5", "2001:db8::7", "March 4, 2025 at 2:05:09 PM UTC", DEVICES_URL);
    expectInBoth(m, "If this wasn't you", "São Paulo, Brazil");
    expect(m.text).toContain("Location (approximate): São Paulo, Brazil");
    // No method given: no "Signed in with" line rather than a guess.
    expect(m.text).not.toContain("Signed in with");
  });

  it("says how the sign-in was made, and an unknown location in words", async () => {
    const m = await renderAuthEmail(
      {
        template: "new-sign-in",
        to: "ada@example.test",
        name: "Ada",
        at: AT,
        device: { ...IPHONE, location: null },
        signInMethod: "email-verification",
        activeDevicesUrl: DEVICES_URL,
      },
      DEFAULTS,
    );
    expectFilled(m);
    expectInBoth(m, "email verification link", "Unknown location");
    expect(m.text).toContain("Signed in with: email verification link");
    expect(m.text).toContain("Location (approximate): Unknown location");
  });

  it("names the second factor a sign-in used", async () => {
    for (const [method, words] of [
      ["password+totp", "password and authenticator app"],
      ["password+backup-code", "password and backup code"],
      ["github+totp", "GitHub and authenticator app"],
      ["google+backup-code", "Google and backup code"],
      ["oidc+totp", "Acme SSO and authenticator app"],
      ["oidc+backup-code", "Acme SSO and backup code"],
    ] as const) {
      const m = await renderAuthEmail(
        { template: "new-sign-in", to: "ada@example.test", name: "Ada", at: AT, device: IPHONE, signInMethod: method, providerName: "Acme SSO", activeDevicesUrl: DEVICES_URL },
        DEFAULTS,
      );
      expect(m.text).toContain(`Signed in with: ${words}`);
    }
  });

  it("second-factor-changed names an added or removed passkey and the device, with 'if this wasn't you'", async () => {
    for (const [change, subject] of [
      ["passkey-added", "A passkey was added to your account"],
      ["passkey-removed", "A passkey was removed from your account"],
    ] as const) {
      const m = await renderAuthEmail(
        { template: "second-factor-changed", to: "ada@example.test", name: "Ada", at: AT, change, passkeyName: "Work <laptop>", device: MAC, securitySettingsUrl: DEVICES_URL },
        DEFAULTS,
      );
      expectFilled(m);
      expect(m.subject).toBe(subject);
      expect(m.text).toContain("“Work <laptop>”");
      expect(m.html).toContain("Work &lt;laptop&gt;");
      expectInBoth(m, "Chrome 131 on macOS", "Cape Town, South Africa");
      expect(m.text).toContain("If this wasn't you");
    }
  });

  it("with a 'this wasn't me' link: it is the email's action, and Active devices is still offered", async () => {
    const report = "http://localhost:3000/report-sign-in?token=abc.def";
    const m = await renderAuthEmail(
      { template: "new-sign-in", to: "ada@example.test", name: "Ada", at: AT, device: IPHONE, activeDevicesUrl: DEVICES_URL, reportSignInUrl: report },
      DEFAULTS,
    );
    expectCommonLayout(m);
    expect(m.link).toBe(report);
    expect(m.html).toContain(`href="${report}"`);
    expectInBoth(m, "This wasn't me: sign that device out", DEVICES_URL, report);
  });
});

describe("text a stranger chose", () => {
  const HOSTILE = "SECURITY ALERT call +1-555-0100 or visit https://evil.example/fix";

  it("a device label, browser or OS not built from known tokens is shown as unknown: subject and body", async () => {
    const device: Device = {
      label: "Chrome on CALL 5550100 NOW visit evil.example",
      browser: HOSTILE,
      os: "Android call 5550100",
      deviceType: "mobile",
      ipAddress: "203.0.113.24",
      location: null,
    };
    for (const email of [
      { template: "new-sign-in", to: "ada@example.test", name: "Ada", at: AT, device, activeDevicesUrl: DEVICES_URL },
      { template: "password-changed", to: "ada@example.test", name: "Ada", at: AT, reason: "reset", device, secureAccountUrl: SECURE_URL },
    ] satisfies AuthEmail[]) {
      const m = await renderAuthEmail(email, DEFAULTS);
      expectFilled(m);
      for (const part of [m.subject, m.text, m.html]) {
        expect(part).not.toMatch(/5550100|555-0100|evil|SECURITY ALERT/i);
      }
      expect(m.text).toContain("Device: Unknown device");
    }
    const alert = await renderAuthEmail({ template: "new-sign-in", to: "ada@example.test", name: "Ada", at: AT, device, activeDevicesUrl: DEVICES_URL }, DEFAULTS);
    expect(alert.subject).toBe("New sign-in to your account from Unknown device");
  });

  it("a name with a link, a domain, an address, a phone number or odd characters, or a very long one, is left out", async () => {
    for (const name of [
      HOSTILE,
      "Visit evil.example",
      "Ada www.evil.example",
      "ada@evil.example",
      "Call 5550100",
      "Ada <b>Lovelace</b>",
      "A".repeat(41),
      "Ada\u202eecalevol",
    ]) {
      expect(greetingName(name), name).toBeNull();
      const m = await renderAuthEmail({ template: "welcome", to: "ada@example.test", name, activeDevicesUrl: DEVICES_URL }, DEFAULTS);
      expectInBoth(m, "Hi,");
      expect(m.text).not.toMatch(/evil|5550100|555-0100/);
    }
    for (const name of ["Ada", "Ada Lovelace", "Zoë O'Brien-Smith", "J. R. R. Tolkien", "  Ada   Lovelace  ", "Þórunn Ásgeirsdóttir"]) {
      expect(greetingName(name), name).toBe(name.trim().replace(/\s+/g, " "));
    }
  });
});

describe("welcome", () => {
  it("links to the Active devices page", async () => {
    const m = await renderAuthEmail(
      { template: "welcome", to: "ada@example.test", name: "Ada", activeDevicesUrl: DEVICES_URL },
      DEFAULTS,
    );
    expectCommonLayout(m);
    expectFilled(m);
    expect(m.subject).toBe("Welcome to Revocable");
    expectInBoth(m, DEVICES_URL, "Hi Ada,");
  });
});

describe("every template", () => {
  const templates: Array<[string, { default: ComponentType<never>; PreviewProps: object }]> = [
    ["verify-email", verifyEmail],
    ["password-reset", passwordReset],
    ["password-changed", passwordChanged],
    ["new-sign-in", newSignIn],
    ["welcome", welcome],
    ["second-factor-changed", secondFactorChanged],
  ];

  it.each(templates)("%s renders its PreviewProps (what `npm run email:dev` shows)", async (_name, mod) => {
    const component = mod.default as ComponentType<object>;
    // The preview server reads Component.PreviewProps; the named export is the same object.
    expect((component as unknown as { PreviewProps: object }).PreviewProps).toBe(mod.PreviewProps);
    const element = createElement(component, mod.PreviewProps);
    const html = await render(element);
    const text = await render(element, { plainText: true });
    for (const bad of PLACEHOLDERS) {
      expect(html).not.toContain(bad);
      expect(text).not.toContain(bad);
    }
    expect(text).toMatch(/https?:\/\/\S+/);
  });

  it("covers every template of the AuthEmail union", () => {
    // A new template must be added to the list above (and get its own tests).
    const all: Record<AuthEmail["template"], true> = {
      "verify-email": true,
      "password-reset": true,
      "password-changed": true,
      "new-sign-in": true,
      welcome: true,
      "second-factor-changed": true,
    };
    expect(templates.map(([n]) => n).sort()).toEqual(Object.keys(all).sort());
  });
});

describe("second-factor-changed", () => {
  it("says what changed, on which device, and links to the Security page", async () => {
    for (const [change, subject] of [
      ["two-factor-enabled", "Two-factor authentication was turned on"],
      ["two-factor-disabled", "Two-factor authentication was turned off"],
    ] as const) {
      const m = await renderAuthEmail(
        { template: "second-factor-changed", to: "ada@example.test", name: "Ada", at: AT, change, device: IPHONE, securitySettingsUrl: DEVICES_URL },
        DEFAULTS,
      );
      expectCommonLayout(m);
      expectFilled(m);
      expect(m.subject).toBe(subject);
      expect(m.link).toBe(DEVICES_URL);
      expectInBoth(m, "Safari on iPhone", "2001:db8::7", "If this wasn't you");
    }
  });
});

describe("format helpers", () => {
  it("never produce Invalid Date or throw on bad input", () => {
    expect(formatWhen("not a date")).toBe("an unknown time");
    expect(formatWhen(AT, "en-US", "Asia/Kolkata")).toBe("March 4, 2025 at 7:35:09 PM GMT+5:30");
    expect(safeLocale("de-DE")).toBe("de-DE");
    expect(safeLocale("!!")).toBe("en-US");
    expect(safeTimeZone("Europe/Paris")).toBe("Europe/Paris");
    expect(safeTimeZone("Nowhere/Land")).toBe("UTC");
  });
});

describe("the plain-text part", () => {
  it("is what React Email's own plain-text render gives", async () => {
    const email: AuthEmail = {
      template: "new-sign-in",
      to: "ada@example.test",
      name: "Ada",
      at: AT,
      device: IPHONE,
      activeDevicesUrl: DEVICES_URL,
      locale: "en-US",
      timeZone: "UTC",
    };
    const m = await renderAuthEmail(email, DEFAULTS);
    const direct = await render(createElement(newSignIn.default, { ...email, activeDevicesUrl: DEVICES_URL }), { plainText: true });
    expect(m.text).toBe(direct);
  });
});
