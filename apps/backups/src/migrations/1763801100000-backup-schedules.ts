import type { MigrationInterface, QueryRunner } from 'typeorm';

export class BackupSchedules1763801100000 implements MigrationInterface {
  name = 'BackupSchedules1763801100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "backup_schedules" (
        "tenant_id" uuid PRIMARY KEY,
        "schedule" text NOT NULL,
        "cron" text NOT NULL,
        "timezone" text NOT NULL DEFAULT 'UTC',
        "enabled" boolean NOT NULL DEFAULT true,
        "keep_last" integer,
        "keep_days" integer,
        "next_run_at" timestamptz,
        "last_run_at" timestamptz,
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX "backup_schedules_due_idx" ON "backup_schedules" ("next_run_at") WHERE enabled`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "backup_schedules"`);
  }
}
