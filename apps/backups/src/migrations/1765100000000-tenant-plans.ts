import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The projection of each tenant's subscription plan (retention of scheduled backups comes from it). */
export class TenantPlans1765100000000 implements MigrationInterface {
  name = 'TenantPlans1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "tenant_plans" (
        "tenant_id" uuid PRIMARY KEY,
        "plan" text NOT NULL,
        "retention_days" integer NOT NULL,
        "as_of" timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "tenant_plans"`);
  }
}
