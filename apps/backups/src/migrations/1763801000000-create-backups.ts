import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateBackups1763801000000 implements MigrationInterface {
  name = 'CreateBackups1763801000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "backups" (
        "id" uuid PRIMARY KEY,
        "tenant_id" uuid NOT NULL,
        "type" text NOT NULL,
        "status" text NOT NULL DEFAULT 'pending',
        "progress" integer NOT NULL DEFAULT 0,
        "step" text,
        "storage" text NOT NULL,
        "storage_prefix" text NOT NULL,
        "size_bytes" bigint,
        "duration_ms" integer,
        "checksum" text,
        "parts" jsonb NOT NULL DEFAULT '[]',
        "error_part" text,
        "error_step" text,
        "error_reason" text,
        "reason" text,
        "requested_by" uuid,
        "restore_id" uuid,
        "operation_id" uuid,
        "lease_owner" text,
        "lease_until" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "started_at" timestamptz,
        "completed_at" timestamptz,
        "expires_at" timestamptz,
        CONSTRAINT "backups_type_check" CHECK (type IN ('manual', 'scheduled', 'pre_restore', 'pre_deletion')),
        CONSTRAINT "backups_status_check" CHECK (status IN ('pending', 'running', 'completed', 'failed'))
      )`);
    await q.query(`CREATE INDEX "backups_tenant_idx" ON "backups" ("tenant_id", "created_at")`);
    await q.query(`CREATE INDEX "backups_claim_idx" ON "backups" ("status", "created_at")`);
    await q.query(`
      CREATE TABLE "restores" (
        "id" uuid PRIMARY KEY,
        "tenant_id" uuid NOT NULL,
        "backup_id" uuid NOT NULL,
        "status" text NOT NULL DEFAULT 'pending',
        "progress" integer NOT NULL DEFAULT 0,
        "step" text,
        "safety_backup_id" uuid,
        "rolled_back" boolean NOT NULL DEFAULT false,
        "swap" jsonb,
        "error_code" text,
        "error_step" text,
        "error_reason" text,
        "requested_by" uuid,
        "lease_owner" text,
        "lease_until" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "started_at" timestamptz,
        "completed_at" timestamptz,
        CONSTRAINT "restores_status_check" CHECK (status IN ('pending', 'running', 'completed', 'failed'))
      )`);
    await q.query(`CREATE INDEX "restores_tenant_idx" ON "restores" ("tenant_id", "created_at")`);
    await q.query(`CREATE UNIQUE INDEX "restores_one_running_key" ON "restores" ("tenant_id") WHERE status IN ('pending', 'running')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "restores"`);
    await q.query(`DROP TABLE "backups"`);
  }
}
