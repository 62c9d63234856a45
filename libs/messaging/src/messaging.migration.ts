import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox, inbox and dead-letter tables every service keeps in its own schema. Each service lists
 * this migration first in its migrations; tables are created unqualified, in the schema the
 * service's connections are pinned to.
 */
export class CreateMessagingTables1763800000000 implements MigrationInterface {
  name = 'CreateMessagingTables1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "outbox" (
        "id" uuid PRIMARY KEY,
        "seq" bigserial NOT NULL,
        "subject" text NOT NULL,
        "type" text NOT NULL,
        "envelope" jsonb NOT NULL,
        "headers" jsonb NOT NULL DEFAULT '{}'::jsonb,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "published_at" timestamptz,
        "publish_attempts" integer NOT NULL DEFAULT 0,
        "last_error" text
      )`);
    await q.query(`CREATE INDEX "outbox_unpublished_idx" ON "outbox" ("seq") WHERE published_at IS NULL`);
    await q.query(`
      CREATE TABLE "inbox" (
        "consumer" text NOT NULL,
        "event_id" uuid NOT NULL,
        "type" text NOT NULL,
        "handled_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("consumer", "event_id")
      )`);
    await q.query(`
      CREATE TABLE "dead_letters" (
        "id" uuid PRIMARY KEY,
        "consumer" text NOT NULL,
        "subject" text NOT NULL,
        "event_id" uuid,
        "type" text,
        "payload" text NOT NULL,
        "headers" jsonb NOT NULL DEFAULT '{}'::jsonb,
        "error" text NOT NULL,
        "attempts" integer NOT NULL,
        "status" text NOT NULL DEFAULT 'parked',
        "parked_at" timestamptz NOT NULL DEFAULT now(),
        "replayed_at" timestamptz
      )`);
    await q.query(`CREATE INDEX "dead_letters_status_idx" ON "dead_letters" ("status", "parked_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "dead_letters"`);
    await q.query(`DROP TABLE "inbox"`);
    await q.query(`DROP TABLE "outbox"`);
  }
}
