import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A tenant's last completed and next scheduled backup, projected from the backups service's events (issue 10). */
export class TenantBackupTimes1763801300000 implements MigrationInterface {
  name = 'TenantBackupTimes1763801300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "tenants" ADD COLUMN "last_backup_at" timestamptz, ADD COLUMN "next_backup_at" timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "tenants" DROP COLUMN "last_backup_at", DROP COLUMN "next_backup_at"`);
  }
}
