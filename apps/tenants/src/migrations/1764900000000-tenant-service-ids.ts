import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The runtime's identifiers of a tenant's resources (seed 003's `render_service_ids`), reported by provisioning. */
export class TenantServiceIds1764900000000 implements MigrationInterface {
  name = 'TenantServiceIds1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "tenants" ADD COLUMN "service_ids" jsonb NOT NULL DEFAULT '{}'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "tenants" DROP COLUMN "service_ids"`);
  }
}
