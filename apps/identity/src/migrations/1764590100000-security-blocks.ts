import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Blocks of IPs, CIDRs and API keys that every gateway replica enforces (security/threats). */
export class SecurityBlocks1764590100000 implements MigrationInterface {
  name = 'SecurityBlocks1764590100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "security_blocks" (
        "id" uuid PRIMARY KEY,
        "target_type" text NOT NULL,
        "target" text NOT NULL,
        "reason" text NOT NULL,
        "blocked_by" uuid,
        "created_at" timestamptz NOT NULL,
        "expires_at" timestamptz,
        "unblocked_at" timestamptz,
        "unblocked_by" uuid
      )`);
    await q.query(`CREATE INDEX "security_blocks_active_idx" ON "security_blocks" ("target_type", "target") WHERE "unblocked_at" IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "security_blocks"`);
  }
}
