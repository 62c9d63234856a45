import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Invoices are drafted without a number and numbered when finalized (`draft → open`). */
export class InvoiceDrafts1764700000000 implements MigrationInterface {
  name = 'InvoiceDrafts1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "invoices" ALTER COLUMN "number" DROP NOT NULL`);
    await q.query(`ALTER TABLE "invoices" ADD "finalized_at" timestamptz`);
    await q.query(`UPDATE "invoices" SET "finalized_at" = "issued_at" WHERE status <> 'draft'`);
    await q.query(`ALTER TABLE "invoices" ADD CONSTRAINT "invoices_number_check" CHECK ((status = 'draft') = (number IS NULL))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM "invoices" WHERE status = 'draft'`);
    await q.query(`ALTER TABLE "invoices" DROP CONSTRAINT "invoices_number_check"`);
    await q.query(`ALTER TABLE "invoices" DROP COLUMN "finalized_at"`);
    await q.query(`ALTER TABLE "invoices" ALTER COLUMN "number" SET NOT NULL`);
  }
}
