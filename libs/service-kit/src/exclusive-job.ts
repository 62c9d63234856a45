import { DataSource } from 'typeorm';

/**
 * Runs `job` only if no other replica of any service sharing this database is running the job with
 * the same `key` right now (a session-level Postgres advisory lock on a connection of its own). A
 * replica that finds the lock taken skips the round and returns `{ ran: false }`; the lock goes with
 * the connection, so a replica that dies mid-job frees it at once.
 *
 * This is how scheduled work (renewals, backup schedules, retries, housekeeping) runs exactly once per
 * tick across N replicas: schedule the tick on every replica with `@nestjs/schedule` (`@Interval`,
 * `@Cron`), and do the work inside `runExclusive`. Work claimed per row should still use
 * `FOR UPDATE SKIP LOCKED` so a slow round and the next one never pick the same row.
 */
export async function runExclusive<T>(dataSource: DataSource, key: string, job: () => Promise<T>): Promise<{ ran: true; result: T } | { ran: false }> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [`job:${key}`])) as Array<{ locked: boolean }>;
    if (!locked) return { ran: false };
    try {
      return { ran: true, result: await job() };
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [`job:${key}`]).catch(() => undefined);
    }
  } finally {
    await runner.release();
  }
}
