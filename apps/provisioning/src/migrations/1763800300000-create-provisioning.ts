import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateProvisioning1763800300000 implements MigrationInterface {
  name = 'CreateProvisioning1763800300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "provisioning_jobs" (
        "id" uuid PRIMARY KEY,
        "tenant_id" uuid NOT NULL,
        "kind" text NOT NULL,
        "status" text NOT NULL DEFAULT 'queued',
        "step" text,
        "progress" integer NOT NULL DEFAULT 0,
        "attempts" integer NOT NULL DEFAULT 0,
        "lease_owner" text,
        "lease_until" timestamptz,
        "last_error" text,
        "spec" jsonb NOT NULL,
        "params" jsonb NOT NULL DEFAULT '{}',
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "finished_at" timestamptz,
        CONSTRAINT "provisioning_jobs_status_check" CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled'))
      )`);
    await q.query(`CREATE INDEX "provisioning_jobs_claim_idx" ON "provisioning_jobs" ("status", "created_at")`);
    await q.query(`CREATE INDEX "provisioning_jobs_tenant_idx" ON "provisioning_jobs" ("tenant_id", "created_at")`);
    await q.query(`
      CREATE TABLE "tenant_instances" (
        "tenant_id" uuid PRIMARY KEY,
        "slug" text NOT NULL,
        "runtime" text NOT NULL,
        "plan" text NOT NULL,
        "database" jsonb,
        "database_password" text,
        "desired_state" text NOT NULL DEFAULT 'running',
        "access_url" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "deleted_at" timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX "tenant_instances_slug_key" ON "tenant_instances" ("slug")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "tenant_instances"`);
    await q.query(`DROP TABLE "provisioning_jobs"`);
  }
}
