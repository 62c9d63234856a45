import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateWebhooks1764500000000 implements MigrationInterface {
  name = 'CreateWebhooks1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "webhook_endpoints" (
        "id" uuid PRIMARY KEY,
        "tenant_id" uuid,
        "url" text NOT NULL,
        "description" text NOT NULL DEFAULT '',
        "event_types" jsonb NOT NULL DEFAULT '[]',
        "enabled" boolean NOT NULL DEFAULT true,
        "disabled_reason" text,
        "disabled_at" timestamptz,
        "rate_limit" integer,
        "headers" jsonb NOT NULL DEFAULT '{}',
        "secret" text NOT NULL,
        "secret_hint" text NOT NULL,
        "previous_secret" text,
        "previous_secret_expires_at" timestamptz,
        "secret_rotated_at" timestamptz,
        "failing_since" timestamptz,
        "consecutive_failures" integer NOT NULL DEFAULT 0,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX "webhook_endpoints_tenant_idx" ON "webhook_endpoints" ("tenant_id")`);
    await q.query(`
      CREATE TABLE "webhook_deliveries" (
        "id" uuid PRIMARY KEY,
        "endpoint_id" uuid NOT NULL,
        "tenant_id" uuid,
        "event_id" uuid NOT NULL,
        "event_type" text NOT NULL,
        "body" text NOT NULL,
        "status" text NOT NULL DEFAULT 'pending',
        "attempts_count" integer NOT NULL DEFAULT 0,
        "next_attempt_at" timestamptz,
        "locked_until" timestamptz,
        "last_status_code" integer,
        "occurred_at" timestamptz NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "completed_at" timestamptz,
        CONSTRAINT "webhook_deliveries_status_check" CHECK (status IN ('pending', 'succeeded', 'failed')),
        CONSTRAINT "webhook_deliveries_endpoint_id_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints" ("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE UNIQUE INDEX "webhook_deliveries_endpoint_event_key" ON "webhook_deliveries" ("endpoint_id", "event_id")`);
    await q.query(`CREATE INDEX "webhook_deliveries_queue_idx" ON "webhook_deliveries" ("endpoint_id", "occurred_at") WHERE status = 'pending'`);
    await q.query(`CREATE INDEX "webhook_deliveries_endpoint_created_idx" ON "webhook_deliveries" ("endpoint_id", "created_at")`);
    await q.query(`CREATE INDEX "webhook_deliveries_tenant_created_idx" ON "webhook_deliveries" ("tenant_id", "created_at")`);
    await q.query(`
      CREATE TABLE "webhook_attempts" (
        "id" uuid PRIMARY KEY,
        "delivery_id" uuid NOT NULL,
        "attempted_at" timestamptz NOT NULL,
        "status_code" integer,
        "latency_ms" integer NOT NULL,
        "response_snippet" text,
        "error" text,
        CONSTRAINT "webhook_attempts_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "webhook_deliveries" ("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "webhook_attempts_delivery_idx" ON "webhook_attempts" ("delivery_id", "attempted_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "webhook_attempts"`);
    await q.query(`DROP TABLE "webhook_deliveries"`);
    await q.query(`DROP TABLE "webhook_endpoints"`);
  }
}
