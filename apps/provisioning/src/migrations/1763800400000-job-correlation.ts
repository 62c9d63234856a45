import type { MigrationInterface, QueryRunner } from 'typeorm';

export class JobCorrelation1763800400000 implements MigrationInterface {
  name = 'JobCorrelation1763800400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "provisioning_jobs" ADD COLUMN "correlation_id" text, ADD COLUMN "causation_id" uuid`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "provisioning_jobs" DROP COLUMN "causation_id", DROP COLUMN "correlation_id"`);
  }
}
