import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { TEST_PG_ADMIN_URL } from '@saas/testing';
import { tenantDatabaseIdentifier } from '../runtime/tenant-names.js';
import { withDatabase } from './postgres-tools.js';
import { TenantDatabaseManager } from './tenant-database.manager.js';
import type { TenantDatabaseInfo } from './tenant-database.types.js';
import { adminQuery } from '../../test/admin-query.js';

const run = randomBytes(3).toString('hex');
const sharedDatabase = `t_tenants_shared_${run}`;
const slug = (label: string) => `${label}-${run}`;
const concurrent = ['par-1', 'par-2', 'par-3', 'par-4', 'par-5', 'par-6', 'par-7', 'par-8'].map(slug);
const slugs = ['ded-a', 'ded-b', 'sh-c', 'sh-d', 'mig-m', 'mig-n', ...concurrent].map((s) => (concurrent.includes(s) ? s : slug(s)));

/** RFC 5802: StoredKey = H(HMAC(SaltedPassword, "Client Key")). */
function verifiesPassword(verifier: string, password: string): boolean {
  const m = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):/.exec(verifier);
  if (!m) return false;
  const salted = pbkdf2Sync(password, Buffer.from(m[2]!, 'base64'), Number(m[1]), 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  return createHash('sha256').update(clientKey).digest('base64') === m[3];
}

async function asTenant<T>(info: Pick<TenantDatabaseInfo, 'url'>, fn: (c: pg.Client) => Promise<T>, database?: string): Promise<T> {
  const client = new pg.Client({ connectionString: database ? withDatabase(info.url, database) : info.url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

describe('TenantDatabaseManager (real Postgres)', () => {
  let manager: TenantDatabaseManager;

  beforeAll(() => {
    manager = new TenantDatabaseManager({ adminUrl: TEST_PG_ADMIN_URL, sharedDatabase });
  });

  afterAll(async () => {
    for (const s of slugs) await manager.dropDatabase(s).catch(() => undefined);
    await manager.close();
    await adminQuery(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(sharedDatabase)} WITH (FORCE)`);
  });

  it('gives a dedicated tenant its own database and role, idempotently, with a fresh password each time', async () => {
    const first = await manager.createDatabase(slug('ded-a'), 'dedicated');
    const second = await manager.createDatabase(slug('ded-a'), 'dedicated');
    const name = tenantDatabaseIdentifier(slug('ded-a'));
    expect(second).toMatchObject({ strategy: 'dedicated', database: name, schema: name, role: name });
    expect(second.password).not.toBe(first.password);
    // A caller that kept the password gets it re-set rather than replaced.
    const kept = await manager.createDatabase(slug('ded-a'), 'dedicated', second.password);
    expect(kept.password).toBe(second.password);

    const [db] = await adminQuery<{ owner: string; acl: string | null }>(
      'SELECT pg_get_userbyid(datdba) AS owner, datacl::text AS acl FROM pg_database WHERE datname = $1',
      [name],
    );
    expect(db!.owner).toBe(name);
    expect(db!.acl).not.toMatch(/(^|[{,])=[^,}]*c/); // no CONNECT for PUBLIC (an ACL entry with an empty grantee)

    // The server holds a SCRAM verifier of the latest password only (this server trusts local
    // connections, so the check is on the verifier rather than on a login).
    const [auth] = await adminQuery<{ verifier: string }>('SELECT rolpassword AS verifier FROM pg_authid WHERE rolname = $1', [name]);
    expect(verifiesPassword(auth!.verifier, second.password)).toBe(true);
    expect(verifiesPassword(auth!.verifier, first.password)).toBe(false);
    // Tables land in the tenant's own schema.
    const schema = await asTenant(second, async (c) => {
      await c.query('CREATE TABLE notes (body text)');
      return (await c.query<{ s: string }>("SELECT table_schema AS s FROM information_schema.tables WHERE table_name = 'notes'")).rows[0]!.s;
    });
    expect(schema).toBe(name);
  });

  it('refuses a dedicated tenant a connection to another tenant’s database', async () => {
    const b = await manager.createDatabase(slug('ded-b'), 'dedicated');
    const err = await asTenant(b, (c) => c.query('SELECT 1'), tenantDatabaseIdentifier(slug('ded-a'))).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: '42501' });
    expect((err as Error).message).toMatch(/permission denied for database/);
  });

  it('gives a shared tenant a private schema in the shared database', async () => {
    const c = await manager.createDatabase(slug('sh-c'), 'shared');
    const d = await manager.createDatabase(slug('sh-d'), 'shared');
    expect(c).toMatchObject({ strategy: 'shared', database: sharedDatabase, schema: tenantDatabaseIdentifier(slug('sh-c')) });
    expect(await manager.createDatabase(slug('sh-c'), 'shared')).toMatchObject({ database: sharedDatabase });

    await asTenant(c, async (client) => {
      await client.query('CREATE TABLE secrets (v text)');
      await client.query("INSERT INTO secrets VALUES ('c-only')");
    });
    await asTenant(d, async (client) => {
      const other = await client.query(`SELECT * FROM ${c.schema}.secrets`).catch((e: unknown) => e);
      expect(other).toMatchObject({ code: '42501' });
      expect((other as Error).message).toMatch(/permission denied for schema/);
      const pub = await client.query('CREATE TABLE public.sneaky (v text)').catch((e: unknown) => e);
      expect(pub).toMatchObject({ code: '42501' });
      await client.query('CREATE TABLE mine (v text)');
      const { rows } = await client.query<{ s: string }>("SELECT table_schema AS s FROM information_schema.tables WHERE table_name = 'mine'");
      expect(rows[0]!.s).toBe(d.schema);
    });
    // A dedicated tenant's role cannot even connect to the shared database.
    const a = await manager.createDatabase(slug('ded-a'), 'dedicated');
    await expect(asTenant(a, (client) => client.query('SELECT 1'), sharedDatabase)).rejects.toMatchObject({ code: '42501' });

    expect(await manager.sizeBytes(c)).toBeGreaterThan(0);
    expect(await manager.sizeBytes(a)).toBeGreaterThan(1_000_000);
  });

  it('drops a tenant without leaving a database, schema or role behind, and again without error', async () => {
    for (const s of [slug('ded-b'), slug('sh-d')]) {
      await manager.dropDatabase(s);
      await manager.dropDatabase(s);
      expect(await manager.footprint(s)).toEqual({ role: false, dedicatedDatabase: false, sharedSchema: false });
      const name = tenantDatabaseIdentifier(s);
      expect(await adminQuery('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).toHaveLength(0);
      expect(await adminQuery('SELECT 1 FROM pg_database WHERE datname = $1', [name])).toHaveLength(0);
      expect(await adminQuery('SELECT 1 FROM pg_namespace WHERE nspname = $1', [name], sharedDatabase)).toHaveLength(0);
    }
    await manager.dropDatabase(slug('never-existed'));
  });

  it('drops a tenant whose app is still connected', async () => {
    const info = await manager.createDatabase(slug('ded-b'), 'dedicated');
    const client = new pg.Client({ connectionString: info.url });
    await client.connect();
    client.on('error', () => undefined);
    await manager.dropDatabase(slug('ded-b'));
    expect(await manager.footprint(slug('ded-b'))).toEqual({ role: false, dedicatedDatabase: false, sharedSchema: false });
    await client.end().catch(() => undefined);
  });

  // Regressions: the per-tenant lock took a connection from the admin pool (3) that its own work
  // needed too, so from 3 concurrent operations on every one of them waited for ever; and shared
  // tenants changing the shared database's privileges at once failed "tuple concurrently updated".
  it('creates and drops more tenants at once than the admin pool has connections', async () => {
    const infos = await Promise.all(concurrent.map((s, i) => manager.createDatabase(s, i < 6 ? 'shared' : 'dedicated')));
    expect(infos).toHaveLength(8);
    await Promise.all(concurrent.map((s) => manager.dropDatabase(s)));
    for (const s of concurrent) expect(await manager.footprint(s)).toEqual({ role: false, dedicatedDatabase: false, sharedSchema: false });
  }, 60_000);

  it('moves a tenant dedicated → shared → dedicated with its data, and re-runs each move harmlessly', async () => {
    const s = slug('mig-m');
    const dedicated = await manager.createDatabase(s, 'dedicated');
    await asTenant(dedicated, async (c) => {
      await c.query('CREATE TABLE visits (id serial PRIMARY KEY, at timestamptz DEFAULT now())');
      await c.query('INSERT INTO visits (at) VALUES (now()), (now()), (now())');
    });
    const count = (info: TenantDatabaseInfo) => asTenant(info, async (c) => Number((await c.query('SELECT count(*) FROM visits')).rows[0].count));

    const shared = await manager.migrateStrategy(s, 'dedicated', 'shared');
    expect(shared).toMatchObject({ strategy: 'shared', database: sharedDatabase });
    expect(await manager.footprint(s)).toEqual({ role: true, dedicatedDatabase: false, sharedSchema: true });
    expect(await count(shared)).toBe(3);
    // The sequence came along: new rows continue after the old ones.
    await asTenant(shared, (c) => c.query('INSERT INTO visits DEFAULT VALUES'));

    const again = await manager.migrateStrategy(s, 'dedicated', 'shared');
    expect(await count(again)).toBe(4);

    const back = await manager.migrateStrategy(s, 'shared', 'dedicated');
    expect(back).toMatchObject({ strategy: 'dedicated', database: tenantDatabaseIdentifier(s) });
    expect(await manager.footprint(s)).toEqual({ role: true, dedicatedDatabase: true, sharedSchema: false });
    expect(await count(back)).toBe(4);
    const grants = await adminQuery<{ ok: boolean }>("SELECT has_database_privilege($1, $2, 'CONNECT') AS ok", [back.role, sharedDatabase]);
    expect(grants[0]!.ok).toBe(false);
  });

  it('redoes a move that crashed after a partial restore (the source is still the truth)', async () => {
    const s = slug('mig-n');
    const source = await manager.createDatabase(s, 'dedicated');
    await asTenant(source, async (c) => {
      await c.query('CREATE TABLE items (v text)');
      await c.query("INSERT INTO items VALUES ('real')");
    });
    // What a crash mid-restore would leave: the schema half there in the target.
    await manager.createDatabase(slug('sh-c'), 'shared');
    const name = tenantDatabaseIdentifier(s);
    await adminQuery(`CREATE SCHEMA ${name}`, [], sharedDatabase);
    await adminQuery(`CREATE TABLE ${name}.items (v text); INSERT INTO ${name}.items VALUES ('partial')`, [], sharedDatabase);

    const moved = await manager.migrateStrategy(s, 'dedicated', 'shared');
    const rows = await asTenant(moved, async (c) => (await c.query<{ v: string }>('SELECT v FROM items')).rows.map((r) => r.v));
    expect(rows).toEqual(['real']);
  });
});
