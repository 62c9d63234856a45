import type { MigrationInterface, QueryRunner } from 'typeorm';

/** An operation that failed for another service's reason keeps that service's code (BILLING_ERROR). */
export class OperationErrorCode1764700100000 implements MigrationInterface {
  name = 'OperationErrorCode1764700100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "tenant_operations" ADD "error_code" text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "tenant_operations" DROP COLUMN "error_code"`);
  }
}
