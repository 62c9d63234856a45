import pg from 'pg';

export interface SingleConnectionOptions {
  connectionString: string;
  applicationName: string;
  /**
   * Told when the connection is lost after it was opened (Postgres restarted, the session was
   * terminated). The client is closed already; queries in flight fail on their own.
   */
  onLost?: (err: Error) => void;
}

/**
 * One Postgres connection outside a pool (a LISTEN, a session advisory lock, a database that is
 * not the service's own).
 *
 * A `pg.Client` emits `error` when its connection ends unexpectedly — even an idle one, even after
 * the query that saw the failure was rejected — and an `error` event nobody listens to ends the
 * process. A Postgres restart therefore killed provisioning while it held a lock connection (the
 * fault suite's Postgres case stalled on it). Every single connection is opened here, with a
 * listener; a spec keeps `new pg.Client` out of the rest of the code.
 */
export async function openConnection(options: SingleConnectionOptions): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: options.connectionString, application_name: options.applicationName });
  let lost = false;
  client.on('error', (err) => {
    if (lost) return;
    lost = true;
    void client.end().catch(() => undefined);
    options.onLost?.(err);
  });
  await client.connect();
  return client;
}

/** Runs `fn` on a connection of its own, closed afterwards whatever happens. */
export async function withConnection<T>(options: SingleConnectionOptions, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await openConnection(options);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The connection class of every pool (TypeORM's too, through `extra.Client`): a `pg.Client` that
 * always has an `error` listener, from its construction on. The pool listens only while a
 * connection is idle and TypeORM only while a query runner holds it; in the gaps a session
 * terminated by a Postgres restart ended the process (billing, in the fault suite). The owners'
 * listeners still see the error and drop the connection; this one only keeps the process alive.
 */
export class GuardedClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on('error', () => undefined);
  }
}

export interface GuardedPoolOptions extends pg.PoolConfig {
  /** Told when a connection of the pool is lost, idle or checked out (it is dropped from the pool). */
  onLost?: (err: Error) => void;
}

/**
 * A `pg.Pool` whose connections cannot end the process. The pool listens for `error` only on idle
 * connections; one checked out (`pool.connect()`, held across a transaction's statements) whose
 * session is terminated between two statements emitted `error` with nobody listening. Each
 * connection gets a listener of its own for its whole life; the broken connection is not
 * queryable any more, so the pool drops it when it is released.
 */
export function openPool(options: GuardedPoolOptions): pg.Pool {
  const { onLost, ...config } = options;
  const pool = new pg.Pool({ ...config, Client: GuardedClient });
  const report = (err: Error) => onLost?.(err);
  pool.on('error', report);
  pool.on('connect', (client) => {
    let lost = false;
    client.on('error', (err) => {
      if (lost) return;
      lost = true;
      report(err);
    });
  });
  return pool;
}
