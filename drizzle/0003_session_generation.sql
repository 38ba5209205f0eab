ALTER TABLE "session" ADD COLUMN "generation" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "user" ADD COLUMN "session_generation" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- A new session takes its user's current generation, read at insert time: a sign-in
-- committed after a revoke-all's bump is valid, one that read the old generation is not.
CREATE FUNCTION session_take_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT session_generation INTO NEW.generation FROM "user" WHERE id = NEW.user_id;
  NEW.generation := coalesce(NEW.generation, 0);
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE TRIGGER session_take_generation BEFORE INSERT ON "session"
  FOR EACH ROW EXECUTE FUNCTION session_take_generation();
