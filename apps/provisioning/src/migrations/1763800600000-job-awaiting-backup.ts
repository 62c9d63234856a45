import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A deletion job waits for the tenant's final backup (`awaiting_backup`) before it is queued. */
export class JobAwaitingBackup1763800600000 implements MigrationInterface {
  name = 'JobAwaitingBackup1763800600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "provisioning_jobs" DROP CONSTRAINT "provisioning_jobs_status_check"`);
    await q.query(
      `ALTER TABLE "provisioning_jobs" ADD CONSTRAINT "provisioning_jobs_status_check" CHECK (status IN ('awaiting_backup', 'queued', 'running', 'succeeded', 'failed', 'cancelled'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE "provisioning_jobs" SET status = 'queued' WHERE status = 'awaiting_backup'`);
    await q.query(`ALTER TABLE "provisioning_jobs" DROP CONSTRAINT "provisioning_jobs_status_check"`);
    await q.query(`ALTER TABLE "provisioning_jobs" ADD CONSTRAINT "provisioning_jobs_status_check" CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled'))`);
  }
}
