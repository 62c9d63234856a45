import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import { Gauge } from 'prom-client';
import { metricsRegistry } from '@saas/observability';
import { withDatabase } from './postgres-tools.js';
import { openConnection, withConnection } from '@saas/database';

const UNDEFINED_DATABASE = '3D000';
const OBJECT_IN_USE = '55006';
const DUPLICATE_DATABASE = '42P04';

const ident = (name: string) => pg.escapeIdentifier(name);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

/**
 * Name prefixes of one installation's spares: its shared tenant database's name (hashed when too
 * long for `<prefix><12 hex>` to fit Postgres' 63 characters).
 */
export function spareDatabasePrefixes(sharedDatabase: string): { ready: string; prep: string } {
  const tag = sharedDatabase.length <= 36 ? sharedDatabase : `${sharedDatabase.slice(0, 23)}_${createHash('sha256').update(sharedDatabase).digest('hex').slice(0, 12)}`;
  return { ready: `spare_${tag}_`, prep: `prep_${tag}_` };
}

export interface SpareDatabasesOptions {
  adminUrl: string;
  /** The admin pool of the manager (the claims go through it). */
  admin: pg.Pool;
  /** The installation's shared tenant database: it names its spares, so another installation's are never touched. */
  installation: string;
  /** How many spares to keep ready. */
  target: number;
  logger?: Logger;
}

/**
 * A warm pool of empty databases for `dedicated` tenants (ADR 0009).
 *
 * `CREATE DATABASE` copies the template (~7 MB through the WAL): ~70 ms alone, and ten sign-ups at
 * once queue behind each other's copies. A spare is created ahead of demand, already locked down
 * (CONNECT and the public schema revoked from PUBLIC); a tenant's database is then a rename and an
 * owner change — catalog updates. The pool is refilled in the background when no tenant store is
 * being created, by one replica at a time (an advisory lock).
 *
 * Names: `spare_<shared database>_<random>` once ready, `prep_<shared database>_<random>` while
 * being prepared (see spareDatabasePrefixes). A tenant's name never takes either form (they start
 * with `tenant_`), and a claim only ever sees ready spares: `ALTER DATABASE … RENAME` is atomic, so
 * two claimers of the same spare get one each (the loser finds it gone and takes the next).
 */
export class SpareDatabases {
  private readonly readyPrefix: string;
  private readonly prepPrefix: string;
  private refilling?: Promise<void>;
  private closed = false;
  /** True while tenants are being provisioned: refilling waits, so it never competes with them. */
  private busy: () => boolean = () => false;

  constructor(private readonly options: SpareDatabasesOptions) {
    ({ ready: this.readyPrefix, prep: this.prepPrefix } = spareDatabasePrefixes(options.installation));
  }

  get enabled(): boolean {
    return this.options.target > 0;
  }

  /**
   * Renames a ready spare to `name`, owned by `owner`. False when none is left (the caller creates
   * the database itself). The owner is also (re)set by the caller, so a crash between the rename
   * and the owner change converges on the next attempt.
   */
  async claim(name: string, owner: string): Promise<boolean> {
    if (!this.enabled) return false;
    try {
      for (const spare of await this.list(this.readyPrefix)) {
        try {
          await this.options.admin.query(`ALTER DATABASE ${ident(spare)} RENAME TO ${ident(name)}`);
        } catch (err) {
          const code = (err as { code?: string }).code;
          // Taken by another claimer meanwhile, or someone is connected to it: the next one.
          if (code === UNDEFINED_DATABASE || code === OBJECT_IN_USE) continue;
          throw err;
        }
        await this.options.admin.query(`ALTER DATABASE ${ident(name)} OWNER TO ${ident(owner)}`);
        return true;
      }
      return false;
    } finally {
      this.refill();
    }
  }

  /** Keeps the pool topped up from now on, pausing whenever `busy` says so. */
  maintain(busy: () => boolean): void {
    this.busy = busy;
    this.refill();
  }

  /** Starts refilling in the background (no-op when disabled, closed or already refilling). */
  refill(): void {
    if (!this.enabled || this.closed || this.refilling) return;
    this.refilling = this.fill()
      .catch((err: unknown) => this.options.logger?.warn({ err }, 'refilling the spare tenant databases failed; retried on the next claim'))
      .finally(() => (this.refilling = undefined));
  }

  /** Stops refilling (the spare being prepared is finished first); the spares stay for the next start. */
  async close(): Promise<void> {
    this.closed = true;
    await this.refilling;
  }

  /** Drops this installation's spares (tests and benchmarks tearing down their world). */
  async dropAll(): Promise<void> {
    await this.close();
    for (const name of [...(await this.list(this.readyPrefix)), ...(await this.list(this.prepPrefix))]) {
      await this.options.admin.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
    }
  }

  /** Ready spares of this installation, oldest first. */
  async list(prefix = this.readyPrefix): Promise<string[]> {
    const { rows } = await this.options.admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE starts_with(datname, $1) AND substr(datname, length($1) + 1) ~ '^[0-9a-f]{12}$' ORDER BY oid`,
      [prefix],
    );
    return rows.map((r) => r.datname);
  }

  private async fill(): Promise<void> {
    const lock = await openConnection({ connectionString: this.options.adminUrl, applicationName: 'provisioning:spare-databases' });
    try {
      const { rows } = await lock.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [this.prepPrefix]);
      if (!rows[0]?.locked) return; // another replica is refilling
      // Left half-prepared by a process that died: nobody else prepares under this lock.
      for (const stale of await this.list(this.prepPrefix)) await lock.query(`DROP DATABASE IF EXISTS ${ident(stale)} WITH (FORCE)`);
      for (;;) {
        while (this.busy() && !this.closed) await sleep(100);
        if (this.closed || (await this.list()).length >= this.options.target) return;
        await this.prepareOne(lock);
      }
    } finally {
      await lock.end().catch(() => undefined);
    }
  }

  private async prepareOne(admin: pg.Client): Promise<void> {
    const suffix = randomBytes(6).toString('hex');
    const prep = `${this.prepPrefix}${suffix}`;
    try {
      await admin.query(`CREATE DATABASE ${ident(prep)}`);
    } catch (err) {
      if ((err as { code?: string }).code !== DUPLICATE_DATABASE) throw err;
    }
    await admin.query(`REVOKE ALL ON DATABASE ${ident(prep)} FROM PUBLIC`);
    await withConnection({ connectionString: withDatabase(this.options.adminUrl, prep), applicationName: 'provisioning:spare-databases' }, (inside) =>
      inside.query('REVOKE ALL ON SCHEMA public FROM PUBLIC'),
    );
    await admin.query(`ALTER DATABASE ${ident(prep)} RENAME TO ${ident(`${this.readyPrefix}${suffix}`)}`);
  }
}

const SPARES_METRIC = 'saas_tenant_database_spares';

/**
 * `saas_tenant_database_spares`: ready spares, counted on each scrape, so an operator sees the pool
 * run dry under a sign-up burst (and refill after it). Registered once per process.
 */
export function registerSpareDatabasesMetric(spares: SpareDatabases): void {
  if (!spares.enabled || metricsRegistry.getSingleMetric(SPARES_METRIC)) return;
  new Gauge({
    name: SPARES_METRIC,
    help: 'Empty databases ready for dedicated tenants (TENANT_DATABASE_SPARES is the target)',
    registers: [metricsRegistry],
    async collect() {
      this.set((await spares.list().catch(() => [])).length);
    },
  });
}
