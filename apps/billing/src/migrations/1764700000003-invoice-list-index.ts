import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The invoice list's order (`issued_at DESC`, then `id` for stable pages) as an index: an admin's
 * page was a sequential scan and a sort of every invoice (wide rows: lines, buyer, seller as JSON),
 * which during a renewal run — 10,000 new rows, each written twice (draft, then numbered) — grew
 * with the table and its dead tuples.
 */
export class InvoiceListIndex1764700000003 implements MigrationInterface {
  name = 'InvoiceListIndex1764700000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "invoices_issued_at_idx" ON "invoices" ("issued_at" DESC, "id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "invoices_issued_at_idx"`);
  }
}
