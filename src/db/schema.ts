// better-auth's four tables (user, session, account, verification) in the shape its
// drizzle adapter expects, plus known_device for "is this a new device?" alerts.
// Postgres is the source of truth; Redis only indexes what is here.
import { sql } from "drizzle-orm";
import { bigserial, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

export const user = pgTable("user", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  email: text("email").notNull().unique(),
  emailVerified: boolean("email_verified").notNull().default(false),
  image: text("image"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  // Revoke-all in O(1): bumped by "sign out every other device"; a session whose
  // generation is older is ended (its row is deleted later, off the request path).
  sessionGeneration: integer("session_generation").notNull().default(0),
  // better-auth's admin plugin (lib/admin): the role ("user" or "admin", set only by the
  // operator command), and a ban that refuses every sign-in until lifted or expired.
  role: text("role").default("user"),
  banned: boolean("banned").default(false),
  banReason: text("ban_reason"),
  banExpires: timestamp("ban_expires", { withTimezone: true }),
  // better-auth's twoFactor plugin: true once an authenticator app is confirmed (docs/second-factors.md).
  twoFactorEnabled: boolean("two_factor_enabled").default(false),
});

export const session = pgTable(
  "session",
  {
    id: text("id").primaryKey(),
    // Absolute expiry: sliding refresh is disabled, so this is the hard cap (ASVS 7.3.2).
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    token: text("token").notNull().unique(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    // Doubles as "last active": the proxy bumps it, throttled.
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    ipAddress: text("ip_address"),
    userAgent: text("user_agent"),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    // The user's session_generation when this row was inserted (set by a trigger, see
    // drizzle/0003), or the generation a revoke-all kept it at.
    generation: integer("generation").notNull().default(0),
    // Sign-in context, written once when the session is created (never by the client):
    // the browser's device-cookie id, when that device first signed in to this account
    // (the panel's "new" mark), the approximate location of ipAddress, and how the
    // session was started ("password", "email-verification", "password-change").
    deviceId: text("device_id"),
    deviceFirstSeenAt: timestamp("device_first_seen_at", { withTimezone: true }),
    location: text("location"),
    signInMethod: text("sign_in_method"),
    // What a native app or tool declared at sign-in ("Revocable for iOS"); null for a
    // browser. The client's own claim, shown as such (lib/auth/native-clients.ts).
    declaredClient: text("declared_client"),
    // better-auth's admin plugin field; the app never starts such sessions (impersonation
    // is not offered), so it stays null.
    impersonatedBy: text("impersonated_by"),
  },
  (t) => [
    index("session_user_id_idx").on(t.userId, t.createdAt),
    // Rebuilding one tag of the Redis index reads its sessions by the token's first 8
    // characters (the tag, see lib/session-index/keys.ts): one index scan.
    index("session_token_tag_idx").on(sql`left(${t.token}, 8)`),
    // The hourly clean-up of long-expired rows (lib/sessions/expired-rows.ts) finds them here.
    index("session_expires_at_idx").on(t.expiresAt),
  ],
);

export const account = pgTable(
  "account",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    providerId: text("provider_id").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    accessToken: text("access_token"),
    refreshToken: text("refresh_token"),
    idToken: text("id_token"),
    accessTokenExpiresAt: timestamp("access_token_expires_at", { withTimezone: true }),
    refreshTokenExpiresAt: timestamp("refresh_token_expires_at", { withTimezone: true }),
    scope: text("scope"),
    password: text("password"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("account_user_id_idx").on(t.userId)],
);

export const verification = pgTable(
  "verification",
  {
    id: text("id").primaryKey(),
    identifier: text("identifier").notNull(),
    value: text("value").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("verification_identifier_idx").on(t.identifier)],
);

// Browsers a user has signed in from, by device-cookie id (a random id in a long-lived,
// signed, HttpOnly cookie: OWASP's "device cookies"). Session rows expire and are
// deleted, so they cannot answer "seen before?".
export const knownDevice = pgTable(
  "known_device",
  {
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    deviceId: text("device_id").notNull(),
    label: text("label").notNull(),
    firstSeenAt: timestamp("first_seen_at", { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    // "Trust this device" after a second step: until then a password sign-in from this
    // device cookie skips the second step. Cleared by revoking the device, signing out
    // everywhere, a password reset and turning two-factor off (lib/two-factor-trust.ts).
    twoFactorTrustedUntil: timestamp("two_factor_trusted_until", { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.userId, t.deviceId] })],
);

// Authenticator-app codes that passed a sign-in's second step, kept while better-auth would
// still accept them (the previous, current and next 30-second step): a code signs in once
// (RFC 6238 5.2). Written before the check, removed again when the check fails
// (lib/auth/totp-replay.ts).
export const usedTotpCode = pgTable(
  "used_totp_code",
  {
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    code: text("code").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.code] })],
);

// better-auth's twoFactor plugin: the TOTP secret and the backup codes, both encrypted
// with the app secret by better-auth; one row per user. `verified` is false while the
// authenticator app has not confirmed a code yet.
export const twoFactor = pgTable(
  "two_factor",
  {
    id: text("id").primaryKey(),
    secret: text("secret").notNull(),
    backupCodes: text("backup_codes").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    verified: boolean("verified").default(true),
    // better-auth's per-account lockout of the second step (consecutive failures).
    failedVerificationCount: integer("failed_verification_count").default(0),
    lockedUntil: timestamp("locked_until", { withTimezone: true }),
  },
  (t) => [index("two_factor_user_id_idx").on(t.userId)],
);

// better-auth's passkey plugin (@better-auth/passkey): one row per WebAuthn credential.
// `publicKey` is the COSE key (base64); `counter` the authenticator's signature counter,
// checked on every sign-in; `name` the user's label. See docs/passkeys.md.
export const passkey = pgTable(
  "passkey",
  {
    id: text("id").primaryKey(),
    name: text("name"),
    publicKey: text("public_key").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    credentialID: text("credential_id").notNull().unique(),
    counter: integer("counter").notNull(),
    deviceType: text("device_type").notNull(),
    backedUp: boolean("backed_up").notNull(),
    transports: text("transports"),
    createdAt: timestamp("created_at", { withTimezone: true }),
    aaguid: text("aaguid"),
  },
  (t) => [index("passkey_user_id_idx").on(t.userId)],
);

// What happened to an account, for its owner ("Recent activity") and for support:
// sign-ins, failed sign-ins (aggregated per window, `count`), sessions ended and why,
// password changes, verification, alerts sent. Written through one function
// (lib/security/events.ts); kept 90 days. Never holds a token or a password.
export const securityEvent = pgTable(
  "security_event",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    sessionId: text("session_id"),
    deviceLabel: text("device_label"),
    ipAddress: text("ip_address"),
    location: text("location"),
    reason: text("reason"),
    count: integer("count").notNull().default(1),
    detail: jsonb("detail").$type<Record<string, string | number | boolean | null>>(),
  },
  (t) => [
    // Newest first per user, with the id breaking ties: the cursor of GET /api/security/activity.
    index("security_event_user_created_idx").on(t.userId, t.createdAt.desc(), t.id.desc()),
    // Pruning rows older than the retention window.
    index("security_event_created_idx").on(t.createdAt),
  ],
);

// The shared "the index may be behind" signal (docs/failure-modes.md). Every instance
// reads it, whatever its own link to Redis:
//  - kind "remove": a session deleted from Postgres whose index entry may still be live.
//    Written by a trigger in the same transaction as the DELETE (write-ahead: an instance
//    killed between Postgres and Redis leaves it behind), cleared once Redis took it.
//  - kind "rebuild": the tag's index may lack a session or lag the user's generation (a
//    sign-in or a revoke-all Redis did not take); a rebuild of the tag from Postgres clears it.
// While a tag has rows here, every instance confirms that tag's index answers in Postgres;
// every instance drains the table. Inserts NOTIFY `rv_index_backlog` with the tags.
export const sessionIndexBacklog = pgTable(
  "session_index_backlog",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    kind: text("kind", { enum: ["remove", "rebuild"] }).notNull(),
    tag: text("tag").notNull(),
    userId: text("user_id").notNull(),
    sessionId: text("session_id"),
    tokenHash: text("token_hash"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("session_index_backlog_token_hash_idx").on(t.tokenHash)],
);
// better-auth's device-authorization plugin (RFC 8628): one row per code a command-line
// tool or TV asked for, until it is redeemed (consumed), expires or is denied. The
// requester's address and place are the app's: the approval page shows them
// (lib/auth/device-flow.ts).
export const deviceCode = pgTable(
  "device_code",
  {
    id: text("id").primaryKey(),
    deviceCode: text("device_code").notNull().unique(),
    userCode: text("user_code").notNull().unique(),
    userId: text("user_id").references(() => user.id, { onDelete: "cascade" }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    status: text("status").notNull(),
    lastPolledAt: timestamp("last_polled_at", { withTimezone: true }),
    pollingInterval: integer("polling_interval"),
    clientId: text("client_id"),
    scope: text("scope"),
    requesterIp: text("requester_ip"),
    requesterLocation: text("requester_location"),
  },
  (t) => [index("device_code_expires_at_idx").on(t.expiresAt)],
);

export const schema = { user, session, account, verification, knownDevice, securityEvent, sessionIndexBacklog, deviceCode, twoFactor, passkey };

// What operators did (lib/admin/audit.ts): who, what, to whom, when, from where. Append-only:
// a trigger refuses UPDATE, DELETE and TRUNCATE (drizzle/, "hand-written"). No foreign keys,
// so deleting an account (or an admin) never touches the record of what was done to it.
export const adminAudit = pgTable(
  "admin_audit",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    actorId: text("actor_id"),
    actorEmail: text("actor_email").notNull(),
    action: text("action").notNull(),
    targetUserId: text("target_user_id"),
    targetEmail: text("target_email"),
    ipAddress: text("ip_address"),
    userAgent: text("user_agent"),
    detail: jsonb("detail").$type<Record<string, string | number | boolean | null>>(),
  },
  (t) => [index("admin_audit_at_idx").on(t.at), index("admin_audit_target_idx").on(t.targetUserId, t.at)],
);
