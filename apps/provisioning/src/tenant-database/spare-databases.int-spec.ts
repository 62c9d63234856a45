import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { TEST_PG_ADMIN_URL, waitFor } from '@saas/testing';
import { tenantDatabaseIdentifier } from '../runtime/tenant-names.js';
import { metricsRegistry } from '@saas/observability';
import { registerSpareDatabasesMetric, spareDatabasePrefixes } from './spare-databases.js';
import { TenantDatabaseManager } from './tenant-database.manager.js';
import { adminQuery } from '../../test/admin-query.js';

const run = randomBytes(3).toString('hex');
const slug = (label: string) => `sp-${label}-${run}`;

const databaseExists = async (name: string) => (await adminQuery('SELECT 1 FROM pg_database WHERE datname = $1', [name])).length === 1;

/** Who owns the database, and its ACL and its public schema's with the tenant's role name replaced by `<tenant>`. */
async function shapeOf(database: string): Promise<{ owner: string; acl: string; publicSchemaAcl: string; publicSchemaOwner: string }> {
  const [db] = await adminQuery<{ owner: string; acl: string }>(
    'SELECT pg_get_userbyid(datdba) AS owner, datacl::text AS acl FROM pg_database WHERE datname = $1',
    [database],
  );
  const [schema] = await adminQuery<{ acl: string; owner: string }>(
    `SELECT coalesce(nspacl::text, '') AS acl, pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = 'public'`,
    [],
    database,
  );
  const anonymise = (s: string) => s.split(database).join('<tenant>');
  return { owner: anonymise(db!.owner), acl: anonymise(db!.acl), publicSchemaAcl: anonymise(schema!.acl), publicSchemaOwner: schema!.owner };
}

describe('Spare tenant databases (real Postgres)', () => {
  const shared = `t_spares_${run}`;
  const otherShared = `t_spares_other_${run}`;
  let busy = false;
  let withSpares: TenantDatabaseManager;
  let without: TenantDatabaseManager;
  let other: TenantDatabaseManager;
  const created: Array<[TenantDatabaseManager, string]> = [];
  const create = async (manager: TenantDatabaseManager, label: string) => {
    created.push([manager, slug(label)]);
    return manager.createDatabase(slug(label), 'dedicated');
  };

  beforeAll(() => {
    withSpares = new TenantDatabaseManager({ adminUrl: TEST_PG_ADMIN_URL, sharedDatabase: shared, spareDatabases: 2 });
    without = new TenantDatabaseManager({ adminUrl: TEST_PG_ADMIN_URL, sharedDatabase: shared });
    other = new TenantDatabaseManager({ adminUrl: TEST_PG_ADMIN_URL, sharedDatabase: otherShared, spareDatabases: 1 });
  });

  afterAll(async () => {
    for (const [manager, s] of created) await manager.dropDatabase(s).catch(() => undefined);
    for (const m of [withSpares, other]) await m.spares.dropAll().catch(() => undefined);
    for (const m of [withSpares, without, other]) await m.close().catch(() => undefined);
  });

  it('keeps spares ready and hands one to a dedicated tenant, locked down exactly like a database created for it', async () => {
    withSpares.spares.maintain(() => busy);
    await waitFor(async () => (await withSpares.spares.list()).length === 2, 'two spares', 20_000, 50);
    const before = await withSpares.spares.list();
    const oids = await adminQuery<{ oid: number }>('SELECT oid FROM pg_database WHERE datname = ANY($1)', [before]);

    const info = await create(withSpares, 'a');
    const name = tenantDatabaseIdentifier(slug('a'));
    expect(info).toMatchObject({ strategy: 'dedicated', database: name, role: name, schema: name });
    // One of the spares became the tenant's database: a rename keeps the oid.
    expect((await withSpares.spares.list()).filter((s) => before.includes(s))).toHaveLength(1);
    const [claimed] = await adminQuery<{ oid: number }>('SELECT oid FROM pg_database WHERE datname = $1', [name]);
    expect(oids.map((o) => o.oid)).toContain(claimed!.oid);

    // Same owner, same privileges as a database made by CREATE DATABASE for the tenant.
    await create(without, 'b');
    const fresh = await shapeOf(tenantDatabaseIdentifier(slug('b')));
    expect(await shapeOf(name)).toEqual(fresh);
    expect(fresh.owner).toBe('<tenant>');
    expect(fresh.acl).not.toMatch(/(^|[{,])=[^,}]*c/); // no CONNECT for PUBLIC

    // The tenant's schema is there and its role can use it.
    const [schema] = await adminQuery<{ owner: string }>('SELECT pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = $1', [name], name);
    expect(schema!.owner).toBe(name);

    // And the pool is topped up again, which the metric shows.
    await waitFor(async () => (await withSpares.spares.list()).length === 2, 'refilled', 20_000, 50);
    registerSpareDatabasesMetric(withSpares.spares);
    expect(await metricsRegistry.getSingleMetricAsString('saas_tenant_database_spares')).toMatch(/^saas_tenant_database_spares 2$/m);
  });

  it('gives concurrent sign-ups one spare each, falls back to CREATE DATABASE when they run out, and refills only when idle', async () => {
    await waitFor(async () => (await withSpares.spares.list()).length === 2, 'two spares', 20_000, 50);
    busy = true;
    const infos = await Promise.all(['c1', 'c2', 'c3'].map((l) => create(withSpares, l)));
    expect(new Set(infos.map((i) => i.database)).size).toBe(3);
    for (const i of infos) expect(await databaseExists(i.database)).toBe(true);
    // Two came from the pool, the third was created: the pool is empty and stays so while busy.
    await new Promise((r) => setTimeout(r, 400));
    expect(await withSpares.spares.list()).toEqual([]);
    busy = false;
    await waitFor(async () => (await withSpares.spares.list()).length === 2, 'refilled when idle', 20_000, 50);
  });

  it('finishes a claim that stopped between the rename and the owner change', async () => {
    await waitFor(async () => (await withSpares.spares.list()).length === 2, 'two spares', 20_000, 50);
    busy = true; // no refill racing the hand-made half claim
    const [spare] = await withSpares.spares.list();
    const name = tenantDatabaseIdentifier(slug('d'));
    await adminQuery(`ALTER DATABASE ${pg.escapeIdentifier(spare!)} RENAME TO ${pg.escapeIdentifier(name)}`);
    await create(withSpares, 'd');
    const [db] = await adminQuery<{ owner: string }>('SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1', [name]);
    expect(db!.owner).toBe(name);
    expect(await withSpares.spares.list()).toHaveLength(1); // the half-claimed one was not counted twice
    busy = false;
  });

  it('never touches the spares of another installation on the same server', async () => {
    other.spares.maintain(() => false);
    await waitFor(async () => (await other.spares.list()).length === 1, "the other installation's spare", 20_000, 50);
    const [theirs] = await other.spares.list();
    expect(theirs!.startsWith(spareDatabasePrefixes(otherShared).ready)).toBe(true);
    expect(await withSpares.spares.list()).not.toContain(theirs);

    busy = true;
    await waitFor(async () => (await withSpares.spares.list()).length >= 1, 'a spare of ours', 20_000, 50);
    // Use up ours, then one more: it is created, not taken from the other installation.
    for (const s of await withSpares.spares.list()) expect(s.startsWith(spareDatabasePrefixes(shared).ready)).toBe(true);
    const ours = (await withSpares.spares.list()).length;
    for (let i = 0; i <= ours; i++) await create(withSpares, `e${i}`);
    expect(await databaseExists(theirs!)).toBe(true);
    busy = false;
  });

  it('drops its spares, and only its own, when asked', async () => {
    await waitFor(async () => (await withSpares.spares.list()).length === 2, 'two spares', 20_000, 50);
    const mine = await withSpares.spares.list();
    const theirs = await other.spares.list();
    await withSpares.spares.dropAll();
    for (const s of mine) expect(await databaseExists(s)).toBe(false);
    for (const s of theirs) expect(await databaseExists(s)).toBe(true);
  });
});
