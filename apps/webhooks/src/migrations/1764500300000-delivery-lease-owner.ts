import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Who holds a delivery's lease: a replica that died lets go at once (see LeaseOwner), not when the lease runs out. */
export class DeliveryLeaseOwner1764500300000 implements MigrationInterface {
  name = 'DeliveryLeaseOwner1764500300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "webhook_deliveries" ADD COLUMN "locked_by" integer`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "webhook_deliveries" DROP COLUMN "locked_by"`);
  }
}
