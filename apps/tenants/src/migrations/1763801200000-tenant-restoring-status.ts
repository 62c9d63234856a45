import type { MigrationInterface, QueryRunner } from 'typeorm';

/** `restoring`: a tenant while the backups service restores its data (issue 10). */
export class TenantRestoringStatus1763801200000 implements MigrationInterface {
  name = 'TenantRestoringStatus1763801200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "tenants" DROP CONSTRAINT "tenants_status_check"`);
    await q.query(`ALTER TABLE "tenants" ADD CONSTRAINT "tenants_status_check" CHECK (status IN ('pending', 'provisioning', 'active', 'suspended', 'stopped', 'restoring', 'error', 'deleting', 'deleted'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "tenants" DROP CONSTRAINT "tenants_status_check"`);
    await q.query(`ALTER TABLE "tenants" ADD CONSTRAINT "tenants_status_check" CHECK (status IN ('pending', 'provisioning', 'active', 'suspended', 'stopped', 'error', 'deleting', 'deleted'))`);
  }
}
