import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A job that hit a transient failure waits (run_after) and is retried, counting its blips apart from crashes. */
export class JobTransientRetry1763800500000 implements MigrationInterface {
  name = 'JobTransientRetry1763800500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE "provisioning_jobs" ADD COLUMN "run_after" timestamptz, ADD COLUMN "transient_failures" integer NOT NULL DEFAULT 0, ADD COLUMN "retrying_since" timestamptz`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "provisioning_jobs" DROP COLUMN "retrying_since", DROP COLUMN "transient_failures", DROP COLUMN "run_after"`);
  }
}
