// Every environment variable the app reads, validated once with zod.
// A missing or malformed variable stops start-up with a message naming it.
// Development gets embedded defaults (PGlite, in-process index); production gets none.
import { z } from "zod";

const seconds = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback);
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== "" ? v.trim() : undefined));

/** Which proxies in front of the app are trusted to name the client (see client-address.ts). */
export type TrustProxy = { kind: "none" } | { kind: "hops"; hops: number } | { kind: "header"; name: string };

const trustProxy = z
  .string()
  .default("none")
  .transform((v, ctx): TrustProxy => {
    const value = v.trim().toLowerCase();
    if (value === "" || value === "none" || value === "0") return { kind: "none" };
    if (/^\d+$/.test(value)) {
      const hops = Number(value);
      if (hops <= 32) return { kind: "hops", hops };
    } else if (value === "x-forwarded-for" || value === "forwarded") {
      // Clients send these too; proxies append to them: that needs a hop count.
      ctx.addIssue({ code: "custom", message: `${value} is appended to, not set, by proxies: give the number of proxies instead (e.g. 1)` });
      return z.NEVER;
    } else if (/^[a-z0-9-]{1,64}$/.test(value)) {
      return { kind: "header", name: value };
    }
    ctx.addIssue({ code: "custom", message: "must be none, a number of proxies (1-32) or a header name (e.g. cf-connecting-ip)" });
    return z.NEVER;
  });

/** The variables of each OAuth provider: all set (on) or none (off). */
const OAUTH_VARIABLES = {
  GitHub: ["GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET"],
  Google: ["GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET"],
  OIDC: ["OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"],
} as const;

const DEV_SECRET = "dev-only-insecure-secret-change-me-0123456789abcdef";

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    APP_URL: z.url().default("http://localhost:3000"),
    // Empty counts as unset, like the URLs: .env.example ships `BETTER_AUTH_SECRET=`.
    BETTER_AUTH_SECRET: optionalString.pipe(
      z.string().min(32, "must be at least 32 characters (generate one with: openssl rand -base64 32)").optional(),
    ),
    DATABASE_URL: optionalString.pipe(
      z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL").optional(),
    ),
    PGLITE_DIR: z.string().default(".data/pglite"),
    REDIS_URL: optionalString.pipe(
      z.string().regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL").optional(),
    ),
    REDIS_CLUSTER_NODES: optionalString.pipe(
      z
        .string()
        .regex(/^[^,:\s]+:\d+(,[^,:\s]+:\d+)*$/, "must be host:port[,host:port...]")
        .optional(),
    ),
    // Redis behind Sentinel instead of REDIS_URL: the sentinels, and the master's name there.
    REDIS_SENTINELS: optionalString.pipe(
      z
        .string()
        .regex(/^[^,:\s]+:\d+(,[^,:\s]+:\d+)*$/, "must be host:port[,host:port...]")
        .optional(),
    ),
    REDIS_SENTINEL_NAME: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).default("mymaster"),
    REDIS_KEY_PREFIX: z.string().regex(/^[a-z0-9_-]{1,16}$/i).default("rv"),
    REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().positive().default(250),
    REDIS_BREAKER_COOLDOWN_MS: z.coerce.number().int().positive().default(2_000),
    INDEX_BACKLOG_INTERVAL_MS: z.coerce.number().int().positive().default(1_000),
    // Replicas a session-ending write must reach before it counts (WAIT); set 1 or more
    // with Sentinel or a Cluster with replicas, so a failover cannot bring a session back.
    REDIS_WAIT_REPLICAS: z.coerce.number().int().min(0).max(16).default(0),
    // Port of the app's server (server.ts), as `next start` reads it.
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    // Who names the client's address: none (the TCP peer), N proxies, or a platform header.
    TRUST_PROXY: trustProxy,
    // Rate limits on sign-in, sign-up, password reset and verification resend.
    RATE_LIMIT: z.enum(["on", "off"]).default("on"),
    SESSION_MAX_CONCURRENT: z.coerce.number().int().min(0).max(1000).default(3),
    SESSION_MAX_LIFETIME: seconds(30 * 24 * 3600),
    SESSION_IDLE_TIMEOUT: seconds(7 * 24 * 3600),
    SESSION_TOUCH_INTERVAL: seconds(60),
    SESSION_FRESH_AGE: seconds(15 * 60),
    // Open live sign-out streams (GET /api/sessions/events) this instance holds: per user
    // (so one account cannot take the instance's places) and in all. Past either: 429.
    EVENT_STREAMS_MAX_PER_USER: z.coerce.number().int().min(1).max(10_000).default(15),
    EVENT_STREAMS_MAX_PER_INSTANCE: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
    RESEND_API_KEY: optionalString,
    RESEND_BASE_URL: optionalString.pipe(z.url().optional()),
    EMAIL_FROM: z.string().default("Revocable <no-reply@revocable.local>"),
    OUTBOX_DIR: z.string().default(".data/outbox"),
    DEFAULT_LOCALE: z.string().default("en-US"),
    DEFAULT_TIME_ZONE: z.string().default("UTC"),
    // Path of the MMDB location database; unset: the shipped one; "off": no lookups.
    GEOIP_DATABASE: optionalString,
    // Bearer token for GET /api/metrics; unset: the endpoint answers 404.
    METRICS_TOKEN: optionalString.pipe(z.string().min(16, "must be at least 16 characters").optional()),
    // Sign-in with GitHub, Google and one OpenID Connect provider (docs/oauth.md). Each is
    // on when its client id and secret are both set; unset: no button, nothing else changes.
    GITHUB_CLIENT_ID: optionalString,
    GITHUB_CLIENT_SECRET: optionalString,
    GOOGLE_CLIENT_ID: optionalString,
    GOOGLE_CLIENT_SECRET: optionalString,
    // The provider's issuer URL: its discovery document is <issuer>/.well-known/openid-configuration.
    OIDC_ISSUER: optionalString.pipe(z.url().optional()),
    OIDC_CLIENT_ID: optionalString,
    OIDC_CLIENT_SECRET: optionalString,
    // What the button, Active devices and emails call it ("Sign in with <name>").
    OIDC_NAME: z.string().trim().min(1).max(40).default("Single sign-on"),
  })
  .superRefine((env, ctx) => {
    if (env.EVENT_STREAMS_MAX_PER_USER > env.EVENT_STREAMS_MAX_PER_INSTANCE) {
      ctx.addIssue({ code: "custom", path: ["EVENT_STREAMS_MAX_PER_USER"], message: "must not exceed EVENT_STREAMS_MAX_PER_INSTANCE" });
    }
    // Half a provider's configuration is a mistake, not "off".
    for (const [prefix, names] of Object.entries(OAUTH_VARIABLES)) {
      const set = names.filter((n) => env[n] !== undefined);
      if (set.length > 0 && set.length < names.length) {
        for (const n of names.filter((n) => env[n] === undefined)) ctx.addIssue({ code: "custom", path: [n], message: `is required when ${set.join(" and ")} ${set.length === 1 ? "is" : "are"} set (${prefix} sign-in)` });
      }
    }
    if (env.NODE_ENV !== "production") return;
    for (const name of ["BETTER_AUTH_SECRET", "DATABASE_URL"] as const) {
      if (!env[name]) ctx.addIssue({ code: "custom", path: [name], message: "is required in production" });
    }
    if (!env.REDIS_URL && !env.REDIS_CLUSTER_NODES && !env.REDIS_SENTINELS) {
      ctx.addIssue({
        code: "custom",
        path: ["REDIS_URL"],
        message: "is required in production (or set REDIS_CLUSTER_NODES or REDIS_SENTINELS)",
      });
    }
  });

/** Every variable the schema reads (test/unit/env-example.test.ts holds .env.example to it). */
export const ENV_KEYS: readonly string[] = Object.keys(schema.shape);

export type Env = z.infer<typeof schema> & { BETTER_AUTH_SECRET: string };

export class EnvError extends Error {}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  - ${i.path.join(".") || "(env)"}: ${i.message}`);
    throw new EnvError(`Invalid environment configuration:\n${lines.join("\n")}\nSee .env.example.`);
  }
  return { ...result.data, BETTER_AUTH_SECRET: result.data.BETTER_AUTH_SECRET ?? DEV_SECRET };
}

let cached: Env | undefined;

/** The validated environment, parsed on first use. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** For tests that change process.env between cases. */
export function resetEnvForTests(): void {
  cached = undefined;
}
