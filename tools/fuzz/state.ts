import pg from 'pg';

/** Row count and checksum of every table of the services' schemas: `schema.table` → `count:md5`. */
export type StateSnapshot = Map<string, string>;

/**
 * Tables whose purpose is to record refused requests, so a refusal changes them by design:
 * failed sign-ins and token reuse are security events and count towards the login throttle
 * (README: LOGIN_LOCK_THRESHOLD). Nothing else may change when a request is refused.
 */
export const RECORDS_REFUSALS = new Set(['identity.security_events', 'identity.login_throttles']);

/** Reads the state of the services' schemas (everything but Postgres' own and `public`). */
export class StateProbe {
  private tables: string[] = [];

  private constructor(private readonly client: pg.Client) {}

  static async connect(databaseUrl: string): Promise<StateProbe> {
    const client = new pg.Client({ connectionString: databaseUrl, application_name: 'fuzz-state-probe' });
    await client.connect();
    return new StateProbe(client);
  }

  private async listTables(): Promise<void> {
    const { rows } = await this.client.query<{ schema: string; table: string }>(
      `SELECT table_schema AS schema, table_name AS "table" FROM information_schema.tables
        WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema', 'public') AND table_schema NOT LIKE 'pg_%'
        ORDER BY 1, 2`,
    );
    this.tables = rows.map((r) => `${pg.escapeIdentifier(r.schema)}.${pg.escapeIdentifier(r.table)}`);
  }

  async snapshot(): Promise<StateSnapshot> {
    await this.listTables(); // services may create tables (migrations) while we run
    if (!this.tables.length) return new Map();
    const sql = this.tables
      .map((t, i) => `SELECT ${i} AS i, count(*)::text || ':' || coalesce(md5(string_agg(md5(x::text), '' ORDER BY md5(x::text))), '') AS v FROM ${t} x`)
      .join(' UNION ALL ');
    const { rows } = await this.client.query<{ i: number; v: string }>(sql);
    return new Map(rows.map((r) => [this.tables[r.i]!.replace(/"/g, ''), r.v]));
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

/** Tables that differ between two snapshots, leaving out those that record refusals by design. */
export function changedTables(before: StateSnapshot, after: StateSnapshot, ignore: ReadonlySet<string> = RECORDS_REFUSALS): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((n) => !ignore.has(n) && before.get(n) !== after.get(n)).sort();
}
