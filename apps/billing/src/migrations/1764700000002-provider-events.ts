import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Payment provider webhook events applied (Stripe's payment_intent.*), so each is applied once. */
export class ProviderEvents1764700000002 implements MigrationInterface {
  name = 'ProviderEvents1764700000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "provider_events" (
        "provider" text NOT NULL,
        "event_id" text NOT NULL,
        "type" text NOT NULL,
        "outcome" text NOT NULL,
        "applied_at" timestamptz NOT NULL,
        PRIMARY KEY ("provider", "event_id")
      )`);
    await q.query(`CREATE INDEX "payments_provider_payment_idx" ON "payments" ("provider", "provider_payment_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS "payments_provider_payment_idx"`);
    await q.query(`DROP TABLE IF EXISTS "provider_events"`);
  }
}
