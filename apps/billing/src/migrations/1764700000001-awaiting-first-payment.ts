import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A subscription without a trial whose first charge failed waits for it (its tenant is held in error). */
export class AwaitingFirstPayment1764700000001 implements MigrationInterface {
  name = 'AwaitingFirstPayment1764700000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "subscriptions" ADD "awaiting_first_payment" boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "subscriptions" DROP COLUMN "awaiting_first_payment"`);
  }
}
