import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BackupsRpc, EventTypes, type CallerDto } from '@saas/contracts';
import { RpcClient, SubjectNaming } from '@saas/messaging';
import { bootstrapService, type RunningService } from '@saas/service-kit';
import { publishEvent, readEvents, TEST_PG_ADMIN_URL, TestEnv, waitFor } from '@saas/testing';
import { FakeProvisioningModule, fakeProvisioning } from '../../test/fake-provisioning.module.js';
import { FakeTenantsModule, fakeTenants } from '../../test/fake-tenants.module.js';
import { admin, makeTenant, rejection, run } from '../../test/tenant-fixtures.js';
import { AppModule } from '../app.module.js';
import { backupsConfigSchema } from '../config.js';
import { backupsEntities } from '../entities.js';
import { backupsMigrations } from '../migrations/index.js';

const owner: CallerDto = { actor: { type: 'user', id: randomUUID() }, roles: ['user'] };
const platformAdmin: CallerDto = { actor: { type: 'user', id: randomUUID() }, roles: ['user', 'admin'] };

type Made = Awaited<ReturnType<typeof makeTenant>>;

/**
 * Clones: a backup restored into a new tenant (real pg_dump/pg_restore, Postgres + NATS), with the
 * tenants and provisioning services faked at their subjects. The new tenant is "signed up" (the fake
 * tenants service) and "provisioned" (an empty role + schema laid out as provisioning does, then
 * `tenant.ready`); the restore waits for that, then brings the source's rows and files into the new
 * tenant's own schema, owned by its own role. The source is never touched.
 */
describe('backups service: restore into a new tenant (clone)', () => {
  let env: TestEnv;
  const services: RunningService[] = [];
  let rpc: RpcClient;
  let backupDir: string;
  let filesRoot: string;
  const sharedDb = `t_cl_shared_${run}`;
  const made: Made[] = [];

  beforeAll(async () => {
    env = await TestEnv.create('clones');
    backupDir = await mkdtemp(path.join(tmpdir(), 'clones-'));
    filesRoot = await mkdtemp(path.join(tmpdir(), 'clone-files-'));
    await admin(`CREATE DATABASE ${sharedDb}`);
    services.push(await bootstrapService({ service: 'fake_provisioning', module: FakeProvisioningModule, entities: [], migrations: [], env: env.env() }));
    services.push(await bootstrapService({ service: 'fake_tenants', module: FakeTenantsModule, entities: [], migrations: [], env: env.env() }));
    services.push(
      await bootstrapService({
        service: 'backups',
        module: AppModule,
        entities: backupsEntities,
        migrations: backupsMigrations,
        configSchema: backupsConfigSchema,
        env: env.env({ BACKUP_DIR: backupDir, BACKUP_POLL_MS: '50', TENANT_DATABASE_ADMIN_URL: TEST_PG_ADMIN_URL }),
      }),
    );
    rpc = new RpcClient(await env.nats(), new SubjectNaming(env.prefix), 10_000);
  }, 60_000);

  afterAll(async () => {
    for (const s of services.reverse()) await s.shutdown();
    await env?.cleanup();
    const leftovers = await admin<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'restore\\_%' OR datname = ANY($1)`, [made.map((t) => t.database)]);
    for (const { datname } of leftovers) if (datname !== sharedDb) await admin(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => undefined);
    await admin(`DROP DATABASE IF EXISTS ${sharedDb} WITH (FORCE)`).catch(() => undefined);
    for (const t of made) await admin(`DROP ROLE IF EXISTS ${t.name}`).catch(() => undefined);
    await rm(backupDir, { recursive: true, force: true });
    await rm(filesRoot, { recursive: true, force: true });
  }, 60_000);

  const tenant = async (label: string, strategy: 'dedicated' | 'shared', rows: number | null, tenantId?: string) => {
    const t = await makeTenant(label, strategy, sharedDb, filesRoot, rows, tenantId);
    made.push(t);
    return t;
  };
  /** More than one table: a serial column's sequence and a view must follow the schema and its owner. */
  const addVisits = async (t: Made) => {
    await admin(`CREATE TABLE ${t.name}.visits (id serial PRIMARY KEY, page text NOT NULL)`, [], t.database);
    await admin(`INSERT INTO ${t.name}.visits (page) SELECT 'page ' || g FROM generate_series(1, 5) g`, [], t.database);
    await admin(`CREATE VIEW ${t.name}.note_count AS SELECT count(*)::int AS n FROM ${t.name}.notes`, [], t.database);
    await admin(`ALTER TABLE ${t.name}.visits OWNER TO ${t.name}; ALTER VIEW ${t.name}.note_count OWNER TO ${t.name}`, [], t.database);
  };
  const notes = async (t: Made) => (await admin<{ n: number; s: string | null }>(`SELECT count(*)::int AS n, string_agg(body, ',' ORDER BY id) AS s FROM ${t.name}.notes`, [], t.database))[0]!;
  const backedUp = async (tenantId: string) => {
    const accepted = await rpc.call(BackupsRpc.create, { caller: owner, tenant_id: tenantId });
    return waitFor(async () => {
      const b = await rpc.call(BackupsRpc.get, { caller: owner, tenant_id: tenantId, backup_id: accepted.backup.id });
      return b.status === 'completed' ? b : b.status === 'failed' ? Promise.reject(new Error(`backup failed: ${b.error?.reason}`)) : null;
    }, 'backup completed', 30_000);
  };
  const finished = (tenantId: string, restoreId: string) =>
    waitFor(async () => {
      const r = await rpc.call(BackupsRpc.restoreGet, { caller: owner, tenant_id: tenantId, restore_id: restoreId });
      return r.status === 'completed' || r.status === 'failed' ? r : null;
    }, `restore ${restoreId} finished`, 60_000);
  const powerOf = (tenantId: string) => fakeProvisioning.power.filter((p) => p.tenant_id === tenantId).map((p) => p.action);
  /** What provisioning and the tenants saga do for the new tenant: its empty database, then `tenant.ready`. */
  const provision = async (label: string, strategy: 'dedicated' | 'shared', tenantId: string) => {
    const t = await tenant(label, strategy, null, tenantId);
    fakeTenants.tenants.get(tenantId)!.status = 'active';
    await publishEvent(await env.nats(), env.prefix, {
      type: EventTypes.TenantReady,
      tenantId,
      data: { tenant_id: tenantId, name: 'Clone', slug: `bk-${label}-${run}`, plan: 'standard', database_strategy: strategy, status: 'active', owner_id: owner.actor.id },
    });
    return t;
  };
  /** Owner of every object of `schema` in `database` (schema, tables, sequences, views), by name. */
  const owners = async (database: string, schema: string) =>
    Object.fromEntries(
      (
        await admin<{ name: string; owner: string }>(
          `SELECT nspname AS name, pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = $1
           UNION ALL SELECT c.relname, pg_get_userbyid(c.relowner) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relkind IN ('r', 'S', 'v') ORDER BY 1`,
          [schema],
          database,
        )
      ).map((r) => [r.name, r.owner]),
    );

  it.each([['dedicated'], ['shared']] as const)('restores a %s tenant’s backup into a new tenant once it is provisioned: its rows, files and owners; the source untouched', async (strategy) => {
    const source = await tenant(`s${strategy.slice(0, 2)}`, strategy, 30);
    await addVisits(source);
    const backup = await backedUp(source.tenantId);
    const sourceBefore = { notes: await notes(source), owners: await owners(source.database, source.name) };
    const subdomain = `clone-${strategy.slice(0, 3)}-${run}`;

    const accepted = await rpc.call(BackupsRpc.restore, { caller: owner, tenant_id: source.tenantId, backup_id: backup.id, target: 'new_tenant', subdomain });
    const newId = accepted.tenant!.id;
    // The new tenant is signed up as any other: the caller owns it, with the backup's plan and strategy.
    expect(fakeTenants.created.at(-1)).toMatchObject({ caller: owner, subdomain, name: `Restored bk-s${strategy.slice(0, 2)}-${run}`, plan: 'standard', database_strategy: strategy, metadata: { restored_from: { tenant_id: source.tenantId, backup_id: backup.id } } });
    expect(accepted.restore).toMatchObject({ tenant_id: newId, backup_id: backup.id, target: 'new_tenant', source_tenant_id: source.tenantId, status: 'pending', step: 'waiting for the new tenant to be provisioned' });
    expect(accepted.status_url).toBe(`/api/v1/tenants/${newId}/restores/${accepted.restore.id}`);

    // Until it is provisioned, the restore waits.
    await new Promise((r) => setTimeout(r, 400));
    expect(await rpc.call(BackupsRpc.restoreGet, { caller: owner, tenant_id: newId, restore_id: accepted.restore.id })).toMatchObject({ status: 'pending' });

    const target = await provision(`t${strategy.slice(0, 2)}`, strategy, newId);
    const done = await finished(newId, accepted.restore.id);
    expect(done).toMatchObject({ status: 'completed', error: null, rolled_back: false, target: 'new_tenant', source_tenant_id: source.tenantId });

    // The new tenant has the source's data, in its own schema, all of it its own role's…
    expect(await notes(target)).toEqual(sourceBefore.notes);
    expect((await admin<{ n: number }>(`SELECT n FROM ${target.name}.note_count`, [], target.database))[0]!.n).toBe(30);
    expect(await owners(target.database, target.name)).toEqual({ [target.name]: target.name, notes: target.name, note_count: target.name, visits: target.name, visits_id_seq: target.name });
    // …which can use it: the sequence goes on from the source's.
    await admin(`SET ROLE ${target.name}; INSERT INTO ${target.name}.visits (page) VALUES ('after the clone')`, [], target.database);
    expect((await admin<{ id: number }>(`SELECT max(id)::int AS id FROM ${target.name}.visits`, [], target.database))[0]!.id).toBe(6);
    expect(await readFile(path.join(target.dir, 'uploads', 'logo.txt'), 'utf8')).toBe(`logo of s${strategy.slice(0, 2)}`);
    expect(await readFile(path.join(target.dir, 'instance.json'), 'utf8')).toBe('{"secret":"db-password"}');
    expect(powerOf(newId)).toEqual(['stop', 'start']);

    // The source is untouched: rows, owners, instance; its schema still where it was.
    expect(await notes(source)).toEqual(sourceBefore.notes);
    expect(await owners(source.database, source.name)).toEqual(sourceBefore.owners);
    expect(powerOf(source.tenantId)).toEqual([]);
    expect(await admin(`SELECT datname FROM pg_database WHERE datname LIKE 'restore\\_%'`)).toEqual([]);
    expect(await admin(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'restore\\_%' OR nspname = $1`, [source.name], target.database)).toEqual(strategy === 'shared' ? [{ nspname: source.name }] : []);

    const completed = await waitFor(
      async () => (await readEvents(await env.nats(), env.prefix, [EventTypes.RestoreCompleted])).find((e) => (e.data as { restore_id: string }).restore_id === done.id),
      'restore.completed',
    );
    expect(completed.tenant_id).toBe(newId);
    expect(completed.data).toMatchObject({ tenant_id: newId, source_tenant_id: source.tenantId, backup_id: backup.id });
  }, 120_000);

  it('recovers a deleted tenant from its final backup: an admin lists it and restores it into a new tenant, with the old role and database gone', async () => {
    const gone = await tenant('gone', 'dedicated', 12);
    const operationId = randomUUID();
    await publishEvent(await env.nats(), env.prefix, {
      type: EventTypes.TenantDeletionRequested,
      tenantId: gone.tenantId,
      data: { tenant_id: gone.tenantId, name: 'Gone Co', slug: `bk-gone-${run}`, plan: 'standard', database_strategy: 'dedicated', status: 'deleting', owner_id: owner.actor.id, operation_id: operationId, operation: 'delete' },
    });
    const final = await waitFor(async () => {
      const list = await rpc.call(BackupsRpc.adminList, { caller: platformAdmin, type: 'pre_deletion', tenant_id: gone.tenantId });
      return list.results[0]?.status === 'completed' ? list.results[0] : null;
    }, 'final backup completed', 30_000);
    const before = await notes(gone);
    // Deprovisioned: the database, the role and the instance are gone.
    await admin(`DROP DATABASE ${gone.database} WITH (FORCE)`);
    await admin(`DROP ROLE ${gone.name}`);
    fakeProvisioning.locations.delete(gone.tenantId);

    // Admins list every tenant's backups; users may not.
    const all = await rpc.call(BackupsRpc.adminList, { caller: platformAdmin, type: 'pre_deletion', page_size: 100 });
    expect(all.results.map((b) => b.id)).toContain(final.id);
    expect(all.results.every((b) => b.type === 'pre_deletion')).toBe(true);
    expect(await rejection(rpc.call(BackupsRpc.adminList, { caller: owner }))).toMatchObject({ status: 403 });

    const accepted = await rpc.call(BackupsRpc.restore, { caller: platformAdmin, tenant_id: gone.tenantId, backup_id: final.id, target: 'new_tenant', subdomain: `back-${run}`, name: 'Gone Co, recovered' });
    expect(fakeTenants.created.at(-1)).toMatchObject({ caller: platformAdmin, name: 'Gone Co, recovered', database_strategy: 'dedicated' });
    const target = await provision('back', 'dedicated', accepted.tenant!.id);
    expect(await finished(target.tenantId, accepted.restore.id)).toMatchObject({ status: 'completed' });
    expect(await notes(target)).toEqual(before);
    expect(await owners(target.database, target.name)).toEqual({ [target.name]: target.name, notes: target.name });
  }, 120_000);

  it('refuses what cannot become a clone, and fails a waiting clone whose new tenant is deleted before it was provisioned', async () => {
    const source = await tenant('ref', 'shared', 3);
    const backup = await backedUp(source.tenantId);
    const base = { caller: owner, tenant_id: source.tenantId, backup_id: backup.id };
    expect(await rejection(rpc.call(BackupsRpc.restore, { ...base, target: 'new_tenant' }))).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(await rejection(rpc.call(BackupsRpc.restore, { ...base, target: 'new_tenant', subdomain: 'Not A Label' }))).toMatchObject({ status: 400 });
    expect(await rejection(rpc.call(BackupsRpc.restore, { ...base, subdomain: `x-${run}` }))).toMatchObject({ status: 400 });
    expect(await rejection(rpc.call(BackupsRpc.restore, { ...base, target: 'in_place', name: 'No Clone' }))).toMatchObject({ status: 400 });
    // Another tenant's backup id is not found; the tenants service's refusal is the answer, and nothing waits.
    const other = await tenant('ref2', 'shared', 1);
    expect(await rejection(rpc.call(BackupsRpc.restore, { ...base, tenant_id: other.tenantId, target: 'new_tenant', subdomain: `nf-${run}` }))).toMatchObject({ code: 'BACKUP_NOT_FOUND', status: 404 });
    fakeTenants.taken.add(`taken-${run}`);
    const count = fakeTenants.created.length;
    expect(await rejection(rpc.call(BackupsRpc.restore, { ...base, target: 'new_tenant', subdomain: `taken-${run}` }))).toMatchObject({ code: 'INVALID_SUBDOMAIN', status: 409 });
    expect(fakeTenants.created.length).toBe(count);

    const accepted = await rpc.call(BackupsRpc.restore, { ...base, target: 'new_tenant', subdomain: `doomed-${run}` });
    const newId = accepted.tenant!.id;
    await publishEvent(await env.nats(), env.prefix, {
      type: EventTypes.TenantDeletionRequested,
      tenantId: newId,
      data: { tenant_id: newId, name: 'Doomed', slug: `doomed-${run}`, plan: 'standard', database_strategy: 'shared', status: 'deleting', owner_id: owner.actor.id, operation_id: randomUUID(), operation: 'delete' },
    });
    const done = await finished(newId, accepted.restore.id);
    expect(done).toMatchObject({ status: 'failed', rolled_back: false, error: { code: 'BACKUP_NOT_RESTORABLE' } });
    expect(done.error!.reason).toMatch(/deleted before its data could be restored/);
    expect(powerOf(newId)).toEqual([]);
  }, 90_000);
});
