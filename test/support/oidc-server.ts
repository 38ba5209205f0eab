// A real OpenID Connect provider for the tests (the `oidc-provider` package, the certified
// implementation many production providers are built on) on a free loopback port. Its
// login page is ours: one field, the account's login, and a "Cancel" that answers the app
// with access_denied. Accounts (their email and whether it is verified) are set by the test.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair } from "jose";
import Provider from "oidc-provider";

export interface OidcAccount {
  email: string;
  emailVerified: boolean;
  name?: string;
}

export interface OidcServer {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Adds or changes the account whose login is `login` (its `sub`). */
  setAccount(login: string, account: OidcAccount): void;
  close(): Promise<void>;
}

const page = (uid: string) => `<!doctype html><html lang="en"><head><title>Test provider: sign in</title></head><body>
<h1>Test provider</h1>
<form method="post" action="/interaction/${uid}/login"><label>Login <input name="login" autocomplete="off"></label>
<button type="submit">Continue</button></form>
<form method="post" action="/interaction/${uid}/abort"><button type="submit">Cancel</button></form></body></html>`;

async function formBody(req: http.IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

/** Starts the provider for an app at `appUrl` (its callback: <appUrl>/api/auth/callback/oidc). */
export async function startOidcServer(appUrl: string): Promise<OidcServer> {
  const accounts = new Map<string, OidcAccount>();
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = "revocable-test";
  const clientSecret = "test-client-secret-0123456789abcdef";
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [`${appUrl.replace(/\/+$/, "")}/api/auth/callback/oidc`],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_post",
      },
    ],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: "RS256", use: "sig", kid: "test" }] },
    cookies: { keys: ["test-oidc-cookie-key-0123456789"] },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    scopes: ["openid", "email", "profile"],
    features: { devInteractions: { enabled: false } },
    // Explicit lifetimes (the defaults log a notice each): a test's flow takes seconds.
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
    pkce: { required: () => true },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          return { sub, email: account.email, email_verified: account.emailVerified, name: account.name ?? sub };
        },
      };
    },
    // No consent screen: the test client is granted what it asks for.
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope("openid email profile");
      await grant.save();
      return grant;
    },
  });
  const handle = provider.callback();
  server.on("request", (req, res) => {
    const m = /^\/interaction\/([A-Za-z0-9_-]+)(\/login|\/abort)?$/.exec(new URL(req.url ?? "/", issuer).pathname);
    if (!m) return void handle(req, res);
    void (async () => {
      try {
        const details = await provider.interactionDetails(req, res);
        if (!m[2]) {
          res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
          return void res.end(page(details.uid));
        }
        if (m[2] === "/abort") {
          return await provider.interactionFinished(req, res, { error: "access_denied", error_description: "The user cancelled." }, { mergeWithLastSubmission: false });
        }
        const login = (await formBody(req)).get("login") ?? "";
        if (!accounts.has(login)) {
          res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
          return void res.end(page(details.uid).replace("<h1>", "<p role=alert>Unknown login</p><h1>"));
        }
        await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
      } catch (err) {
        res.writeHead(400, { "content-type": "text/plain" });
        res.end(`interaction failed: ${(err as Error).message}`);
      }
    })();
  });
  return {
    issuer,
    clientId,
    clientSecret,
    setAccount: (login, account) => void accounts.set(login, account),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
