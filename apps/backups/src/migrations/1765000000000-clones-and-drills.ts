import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Restores into a new tenant (clones), and restore drills as records of their own (scheduled or asked for by an admin). */
export class ClonesAndDrills1765000000000 implements MigrationInterface {
  name = 'ClonesAndDrills1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "restores" ADD COLUMN "source_tenant_id" uuid, ADD COLUMN "waiting_for_tenant" boolean NOT NULL DEFAULT false`);
    await q.query(`
      CREATE TABLE "restore_drills" (
        "id" uuid PRIMARY KEY,
        "backup_id" uuid NOT NULL,
        "tenant_id" uuid NOT NULL,
        "trigger" text NOT NULL,
        "status" text NOT NULL DEFAULT 'pending',
        "step" text,
        "scratch_database" text,
        "restore_seconds" double precision,
        "tables" jsonb NOT NULL DEFAULT '[]',
        "error_code" text,
        "error_step" text,
        "error_reason" text,
        "requested_by" uuid,
        "lease_owner" text,
        "lease_until" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "started_at" timestamptz,
        "completed_at" timestamptz,
        CONSTRAINT "restore_drills_trigger_check" CHECK (trigger IN ('scheduled', 'manual')),
        CONSTRAINT "restore_drills_status_check" CHECK (status IN ('pending', 'running', 'completed', 'failed'))
      )`);
    await q.query(`CREATE INDEX "restore_drills_backup_idx" ON "restore_drills" ("backup_id", "created_at")`);
    await q.query(`CREATE INDEX "restore_drills_claim_idx" ON "restore_drills" ("status", "created_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "restore_drills"`);
    await q.query(`ALTER TABLE "restores" DROP COLUMN "source_tenant_id", DROP COLUMN "waiting_for_tenant"`);
  }
}
