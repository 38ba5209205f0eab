// Which OAuth providers are configured (docs/oauth.md), apart from better-auth: the
// sign-in page and settings read this without loading the auth stack.
import type { Env } from "@/lib/env";
import type { OAuthProviderId } from "@/lib/sign-in-context";

export interface OAuthProvider {
  id: OAuthProviderId;
  /** "GitHub", "Google", or the OIDC provider's configured name. */
  name: string;
}

/** The configured providers, in the order the sign-in page shows them. */
export function configuredProviders(e: Env): OAuthProvider[] {
  const out: OAuthProvider[] = [];
  if (e.GITHUB_CLIENT_ID && e.GITHUB_CLIENT_SECRET) out.push({ id: "github", name: "GitHub" });
  if (e.GOOGLE_CLIENT_ID && e.GOOGLE_CLIENT_SECRET) out.push({ id: "google", name: "Google" });
  if (e.OIDC_ISSUER && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET) out.push({ id: "oidc", name: e.OIDC_NAME });
  return out;
}
