import pg from 'pg';

/** The tenant's visit counter, in its own database (and schema, when it shares a database). */
export class VisitStore {
  private readonly pool: pg.Pool;

  constructor(databaseUrl: string, schema: string | null) {
    this.pool = new pg.Pool({
      connectionString: databaseUrl,
      max: 4,
      connectionTimeoutMillis: 3_000,
      application_name: 'tenant-app',
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    // An idle connection dropped by the server is replaced on next use; only log-worthy.
    this.pool.on('error', () => undefined);
  }

  async migrate(): Promise<void> {
    await this.pool.query(
      `CREATE TABLE IF NOT EXISTS visits (
         id bigserial PRIMARY KEY,
         visited_at timestamptz NOT NULL DEFAULT now(),
         path text NOT NULL
       )`,
    );
  }

  /** Records a visit and returns how many there have been, this one included. */
  async recordVisit(path: string): Promise<number> {
    const { rows } = await this.pool.query<{ count: string }>(
      `WITH inserted AS (INSERT INTO visits (path) VALUES ($1) RETURNING 1)
       SELECT (SELECT count(*) FROM visits) + (SELECT count(*) FROM inserted) AS count`,
      [path],
    );
    return Number(rows[0]!.count);
  }

  async ping(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.pool.query('SELECT 1'),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('database ping timed out')), timeoutMs))),
      ]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
