CREATE TABLE "security_event" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"type" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"session_id" text,
	"device_label" text,
	"ip_address" text,
	"location" text,
	"reason" text,
	"count" integer DEFAULT 1 NOT NULL,
	"detail" jsonb
);
--> statement-breakpoint
-- Known devices were keyed by a user-agent fingerprint (browser + OS + device type), which
-- an attacker with the same browser matches; they are now keyed by the device cookie's id.
-- Old rows cannot be mapped to a cookie: they go, and each user's next sign-in is their
-- first known device again (not alerted; every later new browser is).
DELETE FROM "known_device";--> statement-breakpoint
ALTER TABLE "known_device" DROP CONSTRAINT "known_device_user_id_fingerprint_pk";--> statement-breakpoint
ALTER TABLE "known_device" DROP COLUMN "fingerprint";--> statement-breakpoint
ALTER TABLE "known_device" ADD COLUMN "device_id" text NOT NULL;--> statement-breakpoint
ALTER TABLE "known_device" ADD CONSTRAINT "known_device_user_id_device_id_pk" PRIMARY KEY("user_id","device_id");--> statement-breakpoint
ALTER TABLE "session" ADD COLUMN "device_id" text;--> statement-breakpoint
ALTER TABLE "session" ADD COLUMN "device_first_seen_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "session" ADD COLUMN "location" text;--> statement-breakpoint
ALTER TABLE "session" ADD COLUMN "sign_in_method" text;--> statement-breakpoint
ALTER TABLE "security_event" ADD CONSTRAINT "security_event_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "security_event_user_created_idx" ON "security_event" USING btree ("user_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "security_event_created_idx" ON "security_event" USING btree ("created_at");