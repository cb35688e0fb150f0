CREATE TABLE "board_revision" (
	"only" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"revision" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "board_revision_one_row" CHECK ("board_revision"."only")
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"client" text NOT NULL,
	"key" text NOT NULL,
	"fingerprint" text NOT NULL,
	"message_id" integer NOT NULL,
	"message" jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_client_key_pk" PRIMARY KEY("client","key")
);
--> statement-breakpoint
CREATE INDEX "idempotency_keys_created_at" ON "idempotency_keys" USING btree ("created_at");--> statement-breakpoint
-- Written by hand (drizzle-kit does not model rows or triggers): the one row,
-- and the trigger that bumps it in every transaction that changes messages.
INSERT INTO "board_revision" DEFAULT VALUES;
--> statement-breakpoint
CREATE FUNCTION "bump_board_revision"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE "board_revision" SET "revision" = "revision" + 1;
	RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "messages_bump_board_revision" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "messages"
	FOR EACH STATEMENT EXECUTE FUNCTION "bump_board_revision"();
