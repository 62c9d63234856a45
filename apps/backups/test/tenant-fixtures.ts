import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { DomainException } from '@saas/errors';
import { TEST_PG_ADMIN_URL } from '@saas/testing';
import { withDatabase } from '../src/dumps/postgres-tools.js';
import { fakeProvisioning } from './fake-provisioning.module.js';

/** Unique per test file run, in every name the tests create on the shared server. */
export const run = randomBytes(3).toString('hex');

export async function admin<T extends pg.QueryResultRow>(sql: string, params: unknown[] = [], database = 'postgres'): Promise<T[]> {
  const c = new pg.Client({ connectionString: withDatabase(TEST_PG_ADMIN_URL, database) });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

export async function rejection(p: Promise<unknown>): Promise<DomainException> {
  try {
    await p;
  } catch (e) {
    return e as DomainException;
  }
  throw new Error('expected a rejection');
}

/**
 * A tenant laid out as provisioning makes it: role + schema `tenant_<slug>`, in its own database or
 * the shared one, with `rows` notes and an uploaded file; `rows: null` is a tenant just provisioned
 * (an empty schema, no files yet), as a clone's new tenant is before its restore.
 */
export async function makeTenant(label: string, strategy: 'dedicated' | 'shared', sharedDb: string, filesRoot: string, rows: number | null, tenantId: string = randomUUID()) {
  const name = `tenant_bk_${label}_${run}`;
  const database = strategy === 'dedicated' ? name : sharedDb;
  await admin(`CREATE ROLE ${name} NOLOGIN`);
  if (strategy === 'dedicated') await admin(`CREATE DATABASE ${name} OWNER ${name}`);
  await admin(`CREATE SCHEMA ${name} AUTHORIZATION ${name}`, [], database);
  const dir = path.join(filesRoot, `bk-${label}-${run}`);
  await mkdir(dir, { recursive: true });
  if (rows !== null) {
    await admin(`CREATE TABLE ${name}.notes (id int PRIMARY KEY, body text NOT NULL)`, [], database);
    await admin(`INSERT INTO ${name}.notes SELECT g, 'note ' || g FROM generate_series(1, $1) g`, [rows], database);
    await admin(`ALTER TABLE ${name}.notes OWNER TO ${name}`, [], database);
    await mkdir(path.join(dir, 'uploads'), { recursive: true });
    await writeFile(path.join(dir, 'uploads', 'logo.txt'), `logo of ${label}`);
  }
  await writeFile(path.join(dir, 'instance.json'), '{"secret":"db-password"}');
  await writeFile(path.join(dir, 'app.log'), 'log line\n');
  fakeProvisioning.locations.set(tenantId, {
    tenant_id: tenantId,
    slug: `bk-${label}-${run}`,
    plan: 'standard',
    runtime: 'local',
    app_version: 'tenant-app-0.1.0',
    database: { strategy, database, schema: name, role: name },
    files: { dir, exclude: ['instance.json', 'app.log*'] },
  });
  return { tenantId, name, database, dir };
}

