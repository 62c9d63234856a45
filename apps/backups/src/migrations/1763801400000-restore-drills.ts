import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Restore drills: when a backup was last drilled, verified, how long its restore took, why a drill failed. */
export class RestoreDrills1763801400000 implements MigrationInterface {
  name = 'RestoreDrills1763801400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "backups" ADD COLUMN "drilled_at" timestamptz, ADD COLUMN "verified_at" timestamptz, ADD COLUMN "restore_seconds" double precision, ADD COLUMN "verification_error" text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "backups" DROP COLUMN "drilled_at", DROP COLUMN "verified_at", DROP COLUMN "restore_seconds", DROP COLUMN "verification_error"`);
  }
}
