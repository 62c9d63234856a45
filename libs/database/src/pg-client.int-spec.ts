import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { TEST_PG_ADMIN_URL } from '@saas/testing';
import { createServiceDataSource } from './data-source.js';
import { openConnection, openPool, withConnection } from './pg-client.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

async function terminate(applicationName: string): Promise<number> {
  const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ n: number }>(`SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1`, [applicationName]);
    return rows[0]!.n;
  } finally {
    await admin.end();
  }
}

describe('single Postgres connections', () => {
  it('survive their session being terminated while idle: the loss is reported, the process goes on', async () => {
    const name = `pg-client-spec-${process.pid}-${Date.now()}`;
    const lost: Error[] = [];
    const client = await openConnection({ connectionString: TEST_PG_ADMIN_URL, applicationName: name, onLost: (err) => lost.push(err) });
    await client.query('SELECT 1');
    expect(await terminate(name)).toBe(1);
    // An unhandled `error` event would have ended this process (the jest worker) here.
    await new Promise((r) => setTimeout(r, 300));
    expect(lost).toHaveLength(1);
    expect(lost[0]!.message).toMatch(/terminating connection/);
    await expect(client.query('SELECT 1')).rejects.toThrow();
  });

  it('end the connection once the work is done, and fail the work when the session is cut under it', async () => {
    const name = `pg-client-spec-with-${process.pid}-${Date.now()}`;
    expect(await withConnection({ connectionString: TEST_PG_ADMIN_URL, applicationName: name }, async (c) => (await c.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one)).toBe(1);
    expect(await terminate(name)).toBe(0);
    const outcome = withConnection({ connectionString: TEST_PG_ADMIN_URL, applicationName: name }, (c) => c.query('SELECT pg_sleep(5)')).then(
      () => new Error('the query finished'),
      (err: Error) => err,
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(await terminate(name)).toBe(1);
    expect((await outcome).message).toMatch(/terminating connection|Connection terminated/);
  });

  it('in a pool survive their session being terminated while checked out between two statements', async () => {
    const name = `pg-pool-spec-${process.pid}-${Date.now()}`;
    const lost: Error[] = [];
    const pool = openPool({ connectionString: TEST_PG_ADMIN_URL, application_name: name, max: 1, onLost: (err) => lost.push(err) });
    try {
      const client = await pool.connect();
      await client.query('BEGIN');
      expect(await terminate(name)).toBe(1);
      await new Promise((r) => setTimeout(r, 300));
      expect(lost.length).toBeGreaterThanOrEqual(1);
      await expect(client.query('COMMIT')).rejects.toThrow();
      client.release();
      // The broken connection left the pool; the next one is new and works.
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
    } finally {
      await pool.end();
    }
  });

  it('in a service data source survive their session being terminated while checked out (TypeORM listens only inside a query runner)', async () => {
    const name = `pg-ds-spec-${process.pid}-${Date.now()}`;
    const ds = createServiceDataSource({ schema: 'public', url: TEST_PG_ADMIN_URL, entities: [], migrations: [], poolSize: 1, applicationName: name });
    await ds.initialize();
    try {
      const driver = ds.driver as unknown as { obtainMasterConnection(): Promise<[pg.PoolClient, (err?: Error) => void]> };
      const [, release] = await driver.obtainMasterConnection();
      expect(await terminate(name)).toBe(1);
      // An unhandled 'error' event would have ended this process here (billing did, in the fault suite).
      await new Promise((r) => setTimeout(r, 300));
      release(new Error('terminated'));
      expect(await ds.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await ds.destroy();
    }
  });

  it('are the only way the services open one (a bare pg.Client crashed provisioning when Postgres restarted)', () => {
    const files = execFileSync('git', ['ls-files', 'apps/*/src/*.ts', 'apps/*/src/**/*.ts', 'libs/*/src/*.ts', 'libs/*/src/**/*.ts'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .filter((f) => f && !/\.(spec|int-spec)\.ts$/.test(f) && !f.startsWith('libs/testing/') && f !== 'libs/database/src/pg-client.ts')
      // The tenant app is the customers' demo app, not a platform service: it only ever calls pool.query.
      .filter((f) => !f.startsWith('apps/tenant-app/'));
    const offenders = files.filter((f) => /new pg\.(Client|Pool)\(|new (Client|Pool)\(/.test(readFileSync(path.join(ROOT, f), 'utf8')));
    expect(offenders).toEqual([]);
    expect(readdirSync(path.join(ROOT, 'libs', 'database', 'src'))).toContain('pg-client.ts');
  });
});
