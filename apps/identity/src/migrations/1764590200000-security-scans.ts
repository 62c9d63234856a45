import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Security scans (`POST security/scan`) and their findings. */
export class SecurityScans1764590200000 implements MigrationInterface {
  name = 'SecurityScans1764590200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "security_scans" (
        "id" uuid PRIMARY KEY,
        "status" text NOT NULL,
        "requested_by" uuid,
        "started_at" timestamptz NOT NULL,
        "finished_at" timestamptz,
        "findings" jsonb NOT NULL DEFAULT '[]',
        "not_scanned" jsonb NOT NULL DEFAULT '[]',
        "error" text
      )`);
    await q.query(`CREATE INDEX "security_scans_started_at_idx" ON "security_scans" ("started_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "security_scans"`);
  }
}
