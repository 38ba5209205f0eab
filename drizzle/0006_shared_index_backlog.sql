-- The backlog becomes the shared "index may be behind" signal (docs/failure-modes.md):
-- one row per pending removal or tag rebuild, keyed by id, with the tag every instance
-- reads. Rows left by the old layout are removals.
ALTER TABLE "session_index_backlog" DROP CONSTRAINT "session_index_backlog_pkey";--> statement-breakpoint
ALTER TABLE "session_index_backlog" ALTER COLUMN "token_hash" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "session_index_backlog" ALTER COLUMN "session_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "session_index_backlog" ADD COLUMN "id" bigserial PRIMARY KEY NOT NULL;--> statement-breakpoint
ALTER TABLE "session_index_backlog" ADD COLUMN "kind" text DEFAULT 'remove' NOT NULL;--> statement-breakpoint
ALTER TABLE "session_index_backlog" ALTER COLUMN "kind" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "session_index_backlog" ADD COLUMN "tag" text;--> statement-breakpoint
-- userTag() in SQL: base64url(sha256('revocable-tag:' || user id)), first 8 characters.
UPDATE "session_index_backlog" SET "tag" = substr(translate(encode(sha256(convert_to('revocable-tag:' || "user_id", 'UTF8')), 'base64'), '+/', '-_'), 1, 8);--> statement-breakpoint
ALTER TABLE "session_index_backlog" ALTER COLUMN "tag" SET NOT NULL;--> statement-breakpoint
CREATE INDEX "session_index_backlog_token_hash_idx" ON "session_index_backlog" USING btree ("token_hash");--> statement-breakpoint
-- Write-ahead for every way a session row is deleted (our revokes, better-auth's sign-out,
-- reset, user deletion, the limit): the removal is owed to the index from the moment the
-- row is gone, in the same transaction, so an instance that dies before reaching Redis
-- cannot leave a live index entry nobody knows about. Rows that are invalid already are
-- skipped: expired ones, and ones a revoke-all left in an older generation (the index
-- compares generations; that revoke-all owes its own "rebuild" row).
CREATE FUNCTION session_deleted_owe_index() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "session_index_backlog" ("kind", "tag", "user_id", "session_id", "token_hash")
  SELECT 'remove', left(g."token", 8), g."user_id", g."id",
         substr(translate(encode(sha256(convert_to(g."token", 'UTF8')), 'base64'), '+/', '-_'), 1, 32)
  FROM gone g LEFT JOIN "user" u ON u."id" = g."user_id"
  WHERE g."expires_at" > now() AND g."generation" >= coalesce(u."session_generation", 0);
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER session_deleted_owe_index AFTER DELETE ON "session"
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION session_deleted_owe_index();--> statement-breakpoint
-- Every instance hears of a new row at once (LISTEN rv_index_backlog), with the tags as
-- payload ('*' when there are too many to list: listeners re-read the table).
CREATE FUNCTION session_index_backlog_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  tags text;
BEGIN
  SELECT string_agg(DISTINCT n."tag", ',') INTO tags FROM added n;
  IF tags IS NOT NULL THEN
    PERFORM pg_notify('rv_index_backlog', CASE WHEN length(tags) > 7000 THEN '*' ELSE tags END);
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER session_index_backlog_notify AFTER INSERT ON "session_index_backlog"
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION session_index_backlog_notify();
