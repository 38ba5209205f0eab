// Which OAuth providers are on is read from the environment: all of a provider's variables
// (on), none (off: no button, nothing else changes) or some (a start-up error naming them).
import { describe, expect, it } from "vitest";
import { configuredProviders, socialProviders } from "@/lib/auth/oauth";
import { EnvError, parseEnv } from "@/lib/env";
import { signInMethodOf, signInMethodWords } from "@/lib/sign-in-context";

const base = { NODE_ENV: "development" };

describe("OAuth provider configuration", () => {
  it("none set: no provider, no social provider for better-auth", () => {
    const e = parseEnv(base);
    expect(configuredProviders(e)).toEqual([]);
    expect(socialProviders(e)).toEqual({});
  });

  it("each provider is on with all of its variables, in a fixed order, the OIDC one by its name", () => {
    const e = parseEnv({
      ...base,
      OIDC_ISSUER: "https://id.example.test/realms/main",
      OIDC_CLIENT_ID: "c",
      OIDC_CLIENT_SECRET: "s",
      OIDC_NAME: "Acme SSO",
      GITHUB_CLIENT_ID: "g",
      GITHUB_CLIENT_SECRET: "gs",
    });
    expect(configuredProviders(e)).toEqual([
      { id: "github", name: "GitHub" },
      { id: "oidc", name: "Acme SSO" },
    ]);
    expect(Object.keys(socialProviders(e))).toEqual(["github"]);
  });

  it("half a configuration stops start-up, naming what is missing", () => {
    expect(() => parseEnv({ ...base, GOOGLE_CLIENT_ID: "x" })).toThrow(EnvError);
    expect(() => parseEnv({ ...base, GOOGLE_CLIENT_ID: "x" })).toThrow(/GOOGLE_CLIENT_SECRET: is required when GOOGLE_CLIENT_ID is set/);
    expect(() => parseEnv({ ...base, OIDC_ISSUER: "https://id.example.test", OIDC_CLIENT_ID: "c" })).toThrow(/OIDC_CLIENT_SECRET/);
    expect(() => parseEnv({ ...base, OIDC_ISSUER: "not a url", OIDC_CLIENT_ID: "c", OIDC_CLIENT_SECRET: "s" })).toThrow(/OIDC_ISSUER/);
  });
});

describe("the sign-in method of an OAuth callback", () => {
  it("is its provider, in words", () => {
    expect(signInMethodOf("/callback/:id", null, "github")).toBe("github");
    expect(signInMethodOf("/callback/:id", null, "google")).toBe("google");
    expect(signInMethodOf("/callback/:id", null, "oidc")).toBe("oidc");
    expect(signInMethodOf("/callback/:id", null, "facebook")).toBeNull();
    expect(signInMethodWords("github")).toBe("GitHub");
    expect(signInMethodWords("oidc", "Acme SSO")).toBe("Acme SSO");
    expect(signInMethodWords("oidc")).toBe("single sign-on");
  });

  it("followed by a second step: the provider and the factor", () => {
    expect(signInMethodOf("/two-factor/verify-totp", null, "github")).toBe("github+totp");
    expect(signInMethodOf("/two-factor/verify-backup-code", null, "oidc")).toBe("oidc+backup-code");
    // No provider (or one the app does not know): the password was the first step.
    expect(signInMethodOf("/two-factor/verify-totp", null)).toBe("password+totp");
    expect(signInMethodOf("/two-factor/verify-totp", null, "facebook")).toBe("password+totp");
    // With a session it is a re-issue: the session keeps its method.
    expect(signInMethodOf("/two-factor/verify-totp", "google", "github")).toBe("google");
    expect(signInMethodWords("google+totp")).toBe("Google and authenticator app");
    expect(signInMethodWords("oidc+backup-code", "Acme SSO")).toBe("Acme SSO and backup code");
    expect(signInMethodWords("password+totp", "Acme SSO")).toBe("password and authenticator app");
  });
});
