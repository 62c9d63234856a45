import pg from 'pg';
import type { Logger } from 'pino';
import { tenantDatabaseIdentifier } from '../runtime/tenant-names.js';
import { generatePassword, pipeDumpToRestore, scramSha256Verifier, withDatabase } from './postgres-tools.js';
import { SpareDatabases } from './spare-databases.js';
import type { DatabaseStrategy, TenantDatabaseInfo, TenantDatabaseRef } from './tenant-database.types.js';
import { openPool, withConnection } from '@saas/database';

export interface TenantDatabaseManagerOptions {
  /** A superuser (or CREATEDB + CREATEROLE with membership in tenant roles) on the tenants' server. */
  adminUrl: string;
  sharedDatabase: string;
  /** Host/port written into tenants' connection URLs when they differ from the admin URL's. */
  tenantHost?: string;
  tenantPort?: number;
  /** Empty databases kept ready for `dedicated` tenants (spare-databases.ts); 0 creates each on demand. */
  spareDatabases?: number;
  /** Admin connections (default 3): as many as jobs run at once, so none waits for another's. */
  adminConnections?: number;
  logger?: Logger;
}

/** What exists for one tenant (used to check idempotence and clean removal). */
export interface TenantDatabaseFootprint {
  role: boolean;
  dedicatedDatabase: boolean;
  sharedSchema: boolean;
}

const SHARED_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const DUPLICATE_DATABASE = '42P04';
const DUPLICATE_OBJECT = '42710';

const ident = (name: string) => pg.escapeIdentifier(name);

/**
 * Creates and drops tenants' data stores on a Postgres server (ARCHITECTURE § Data).
 *
 * Layout, the same for both strategies: a LOGIN role `tenant_<slug>` that owns a schema of the same
 * name, which is also its search_path. `dedicated` puts that schema in a database of its own (owned
 * by the role, CONNECT revoked from PUBLIC); `shared` puts it in the shared tenants database, where
 * PUBLIC has no rights and each tenant's schema is private to its role.
 *
 * Every operation is idempotent and takes a per-tenant advisory lock, so a retried or concurrent
 * call (another replica, a saga re-run after a crash) converges instead of failing half-way.
 * Only validated identifiers are ever put into SQL text, quoted; the password is sent as a SCRAM
 * verifier literal.
 */
export class TenantDatabaseManager {
  private readonly admin: pg.Pool;
  private sharedPool?: pg.Pool;
  private readonly adminUrl: URL;
  /** The warm pool of empty databases for `dedicated` tenants. */
  readonly spares: SpareDatabases;

  constructor(private readonly options: TenantDatabaseManagerOptions) {
    if (!SHARED_NAME.test(options.sharedDatabase)) throw new Error(`invalid shared tenant database name "${options.sharedDatabase}"`);
    this.adminUrl = new URL(options.adminUrl);
    // A bounded wait for a connection: an exhausted or stuck pool is a transient error the job retries, never a silent hang.
    this.admin = openPool({
      connectionString: options.adminUrl,
      max: options.adminConnections ?? 3,
      connectionTimeoutMillis: 10_000,
      application_name: 'provisioning:tenant-db',
      onLost: (err) => options.logger?.warn({ err: err.message }, 'an admin connection to the tenants’ Postgres was lost'),
    });
    this.spares = new SpareDatabases({
      adminUrl: options.adminUrl,
      admin: this.admin,
      installation: options.sharedDatabase,
      target: options.spareDatabases ?? 0,
      ...(options.logger ? { logger: options.logger } : {}),
    });
  }

  get sharedDatabase(): string {
    return this.options.sharedDatabase;
  }

  /**
   * Creates what is missing and (re)sets the role's password: to `password` when the caller kept
   * the one it stored (a resumed job must not change it under a connected instance), else a new one.
   */
  async createDatabase(slug: string, strategy: DatabaseStrategy, password?: string): Promise<TenantDatabaseInfo> {
    const name = tenantDatabaseIdentifier(slug);
    return this.withTenantLock(name, () => this.ensureStore(name, strategy, password));
  }

  /** Drops whatever exists for the tenant under either strategy, then its role. Nothing left behind. */
  async dropDatabase(slug: string): Promise<void> {
    const name = tenantDatabaseIdentifier(slug);
    await this.withTenantLock(name, async () => {
      const roleExists = await this.roleExists(name);
      if (roleExists) await this.blockLogins(name);
      await this.admin.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
      if (await this.databaseExists(this.sharedDatabase)) {
        await this.serialisedAclChange(this.shared(), async (c) => {
          await c.query(`DROP SCHEMA IF EXISTS ${ident(name)} CASCADE`);
          if (roleExists) await c.query(`DROP OWNED BY ${ident(name)}`);
        });
      }
      if (roleExists) {
        // Also revokes its privileges on shared objects (CONNECT on databases).
        await this.serialisedAclChange(this.admin, async (c) => {
          await c.query(`DROP OWNED BY ${ident(name)}`);
          await c.query(`DROP ROLE IF EXISTS ${ident(name)}`);
        });
      }
      this.options.logger?.info({ tenant_db: name }, 'tenant database dropped');
    });
  }

  /**
   * Moves a tenant between strategies: `pg_dump` of its schema piped into `psql` on the target, in
   * one transaction, then the source is dropped. Logins are blocked meanwhile (the instance should
   * be stopped first; writes after the dump would be lost otherwise). Safe to re-run after a crash at
   * any point: while the source exists it is the truth and a half-restored target is redone; once
   * the source is gone only the finishing steps run.
   */
  async migrateStrategy(slug: string, from: DatabaseStrategy, to: DatabaseStrategy, password?: string): Promise<TenantDatabaseInfo> {
    const name = tenantDatabaseIdentifier(slug);
    if (from === to) return this.createDatabase(slug, to, password);
    return this.withTenantLock(name, async () => {
      const sourceExists = await this.storeExists(name, from);
      if (sourceExists) {
        await this.blockLogins(name);
        const sourceDb = from === 'dedicated' ? name : this.sharedDatabase;
        const targetDb = to === 'dedicated' ? name : this.sharedDatabase;
        if (to === 'dedicated') await this.ensureDedicatedDatabase(name);
        else await this.ensureSharedDatabase(name);
        await this.inDatabase(targetDb, (c) => c.query(`DROP SCHEMA IF EXISTS ${ident(name)} CASCADE`));
        await pipeDumpToRestore({
          sourceUrl: withDatabase(this.options.adminUrl, sourceDb),
          targetUrl: withDatabase(this.options.adminUrl, targetDb),
          // Owners stay in the dump: the role is the same on both sides.
          dumpArgs: [`--schema=${name}`, '--no-privileges'],
        });
        if (from === 'dedicated') {
          await this.admin.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
        } else {
          await this.inDatabase(this.sharedDatabase, (c) => c.query(`DROP SCHEMA IF EXISTS ${ident(name)} CASCADE`));
          await this.admin.query(`REVOKE ALL ON DATABASE ${ident(this.sharedDatabase)} FROM ${ident(name)}`);
        }
        this.options.logger?.info({ tenant_db: name, from, to }, 'tenant database moved');
      } else if (!(await this.storeExists(name, to))) {
        throw new Error(`tenant database ${name} has neither a ${from} nor a ${to} store to migrate`);
      }
      return this.ensureStore(name, to, password);
    });
  }

  /** Bytes the tenant's data takes: its database, or its schema's relations in the shared database. */
  async sizeBytes(ref: TenantDatabaseRef): Promise<number> {
    if (ref.strategy === 'dedicated') {
      const { rows } = await this.admin.query<{ size: string }>('SELECT pg_database_size(datname)::text AS size FROM pg_database WHERE datname = $1', [
        ref.database,
      ]);
      return rows[0] ? Number(rows[0].size) : 0;
    }
    if (!(await this.databaseExists(ref.database))) return 0;
    const { rows } = await this.shared().query<{ size: string }>(
      `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::text AS size
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'm')`,
      [ref.schema],
    );
    return Number(rows[0]?.size ?? 0);
  }

  async footprint(slug: string): Promise<TenantDatabaseFootprint> {
    const name = tenantDatabaseIdentifier(slug);
    return {
      role: await this.roleExists(name),
      dedicatedDatabase: await this.databaseExists(name),
      sharedSchema: await this.storeExists(name, 'shared'),
    };
  }

  async close(): Promise<void> {
    await this.spares.close();
    await Promise.all([this.admin.end(), this.sharedPool?.end()]);
  }

  // ---- steps (callers hold the tenant lock) ----

  private async ensureStore(name: string, strategy: DatabaseStrategy, password = generatePassword()): Promise<TenantDatabaseInfo> {
    if (!password) throw new Error('a tenant database password must not be empty');
    await this.ensureRole(name, password);
    const database = strategy === 'dedicated' ? name : this.sharedDatabase;
    if (strategy === 'dedicated') await this.ensureDedicatedDatabase(name);
    else await this.ensureSharedDatabase(name);
    await this.inDatabase(database, async (c) => {
      if (strategy === 'dedicated') await c.query('REVOKE ALL ON SCHEMA public FROM PUBLIC');
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${ident(name)} AUTHORIZATION ${ident(name)}`);
    });
    return this.info(strategy, name, database, password);
  }

  private async ensureRole(name: string, password: string): Promise<void> {
    const attributes = `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${pg.escapeLiteral(scramSha256Verifier(password))}`;
    let created = false;
    if (!(await this.roleExists(name))) {
      try {
        await this.admin.query(`CREATE ROLE ${ident(name)} ${attributes}`);
        created = true;
      } catch (err) {
        if ((err as { code?: string }).code !== DUPLICATE_OBJECT) throw err;
      }
    }
    if (!created) await this.admin.query(`ALTER ROLE ${ident(name)} WITH ${attributes}`);
    await this.admin.query(`ALTER ROLE ${ident(name)} SET search_path = ${ident(name)}`);
  }

  private async ensureDedicatedDatabase(name: string): Promise<void> {
    if (!(await this.databaseExists(name)) && !(await this.spares.claim(name, name))) await this.createDatabaseIfMissing(name, name);
    // Also what completes a claimed spare whose owner change a crash interrupted.
    await this.admin.query(`ALTER DATABASE ${ident(name)} OWNER TO ${ident(name)}`);
    await this.admin.query(`REVOKE ALL ON DATABASE ${ident(name)} FROM PUBLIC`);
  }

  private async ensureSharedDatabase(role: string): Promise<void> {
    const shared = this.sharedDatabase;
    await this.createDatabaseIfMissing(shared, null);
    // Re-asserted every time: cheap, and repairs a shared database someone created by hand.
    await this.serialisedAclChange(this.admin, async (c) => {
      await c.query(`REVOKE ALL ON DATABASE ${ident(shared)} FROM PUBLIC`);
      await c.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${ident(shared)} TO ${ident(role)}`);
    });
    await this.serialisedAclChange(this.shared(), (c) => c.query('REVOKE ALL ON SCHEMA public FROM PUBLIC'));
  }

  /**
   * Privileges of one shared object (the shared database, its public schema) live in one catalog
   * row: two tenants changing them at once make Postgres fail one with "tuple concurrently updated".
   * Such changes queue on a transaction-scoped advisory lock instead (advisory locks are per database).
   */
  private async serialisedAclChange(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<unknown>): Promise<void> {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      await c.query(`SELECT pg_advisory_xact_lock(hashtext('tenant-db:shared-acl'))`);
      await fn(c);
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }

  private async createDatabaseIfMissing(name: string, owner: string | null): Promise<void> {
    if (await this.databaseExists(name)) return;
    try {
      await this.admin.query(`CREATE DATABASE ${ident(name)}${owner ? ` OWNER ${ident(owner)}` : ''}`);
    } catch (err) {
      if ((err as { code?: string }).code !== DUPLICATE_DATABASE) throw err;
    }
  }

  /** NOLOGIN first, then end its sessions, so nothing reconnects while its data moves or goes. */
  private async blockLogins(name: string): Promise<void> {
    await this.admin.query(`ALTER ROLE ${ident(name)} NOLOGIN`);
    await this.admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [name]);
  }

  private async storeExists(name: string, strategy: DatabaseStrategy): Promise<boolean> {
    if (strategy === 'dedicated') return this.databaseExists(name);
    if (!(await this.databaseExists(this.sharedDatabase))) return false;
    const { rowCount } = await this.shared().query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [name]);
    return rowCount === 1;
  }

  private async roleExists(name: string): Promise<boolean> {
    const { rowCount } = await this.admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
    return rowCount === 1;
  }

  private async databaseExists(name: string): Promise<boolean> {
    const { rowCount } = await this.admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return rowCount === 1;
  }

  private info(strategy: DatabaseStrategy, role: string, database: string, password: string): TenantDatabaseInfo {
    const host = this.options.tenantHost ?? this.adminUrl.hostname;
    const port = this.options.tenantPort ?? Number(this.adminUrl.port || 5432);
    const url = new URL(`postgres://${host}:${port}/`);
    url.username = role;
    url.password = password;
    url.pathname = `/${database}`;
    const sslmode = this.adminUrl.searchParams.get('sslmode');
    if (sslmode) url.searchParams.set('sslmode', sslmode);
    return { strategy, host, port, database, schema: role, role, password, url: url.toString() };
  }

  private shared(): pg.Pool {
    if (!this.sharedPool) {
      this.sharedPool = openPool({
        connectionString: withDatabase(this.options.adminUrl, this.sharedDatabase),
        max: 2,
        connectionTimeoutMillis: 10_000,
        application_name: 'provisioning:tenant-db',
        onLost: (err) => this.options.logger?.warn({ err: err.message }, 'a connection to the shared tenant database was lost'),
      });
    }
    return this.sharedPool;
  }

  private async inDatabase<T>(database: string, fn: (c: pg.ClientBase) => Promise<T>): Promise<T> {
    if (database === this.sharedDatabase) {
      const c = await this.shared().connect();
      try {
        return await fn(c);
      } finally {
        c.release();
      }
    }
    return withConnection({ connectionString: withDatabase(this.options.adminUrl, database), applicationName: 'provisioning:tenant-db' }, fn);
  }

  /** Serialises work on one tenant across replicas and retries (session-level advisory lock). */
  /**
   * The lock lives on a connection of its own, not one of the admin pool's: `fn` needs pool
   * connections itself, so N concurrent operations each holding a pooled lock connection starved
   * the pool and waited for ever once N reached its size. Ending the session releases the lock.
   */
  private async withTenantLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    // A lost lock connection (Postgres restarted) has lost the lock too; `fn` fails on the same
    // outage and its job is retried, and every operation is idempotent, so nothing is left half-done.
    return withConnection({ connectionString: this.options.adminUrl, applicationName: 'provisioning:tenant-db-lock' }, async (lock) => {
      await lock.query('SELECT pg_advisory_lock(hashtext($1))', [`tenant-db:${name}`]);
      return fn();
    });
  }
}
