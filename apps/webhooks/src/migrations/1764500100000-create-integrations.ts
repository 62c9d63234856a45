import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateIntegrations1764500100000 implements MigrationInterface {
  name = 'CreateIntegrations1764500100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "integration_providers" (
        "id" uuid PRIMARY KEY,
        "name" text NOT NULL,
        "webhook_url" text,
        "api_base_url" text,
        "auth_type" text NOT NULL DEFAULT 'hmac',
        "signature_scheme" text NOT NULL DEFAULT 'standard_webhooks',
        "secret_key" text NOT NULL,
        "allowed_ips" jsonb NOT NULL DEFAULT '[]',
        "rate_limit" integer,
        "timestamp_tolerance_s" integer NOT NULL DEFAULT 300,
        "is_active" boolean NOT NULL DEFAULT true,
        "health_status" text NOT NULL DEFAULT 'unknown',
        "health_response_ms" integer,
        "health_checked_at" timestamptz,
        "health_error" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX "integration_providers_name_key" ON "integration_providers" ("name")`);
    await q.query(`
      CREATE TABLE "integration_events" (
        "id" uuid PRIMARY KEY,
        "provider_id" uuid NOT NULL,
        "event_id" text NOT NULL,
        "type" text NOT NULL,
        "payload" jsonb NOT NULL,
        "status" text NOT NULL DEFAULT 'received',
        "attempts" integer NOT NULL DEFAULT 0,
        "error" text,
        "received_at" timestamptz NOT NULL,
        "processed_at" timestamptz,
        CONSTRAINT "integration_events_provider_id_fkey" FOREIGN KEY ("provider_id") REFERENCES "integration_providers" ("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE UNIQUE INDEX "integration_events_provider_event_key" ON "integration_events" ("provider_id", "event_id")`);
    await q.query(`CREATE INDEX "integration_events_received_idx" ON "integration_events" ("received_at") WHERE status = 'received'`);
    await q.query(`CREATE INDEX "integration_events_provider_received_idx" ON "integration_events" ("provider_id", "received_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "integration_events"`);
    await q.query(`DROP TABLE "integration_providers"`);
  }
}
