/**
 * Concurrent point reads coalesced into one statement (issue 9; the DataLoader pattern).
 *
 * A service answering many small lookups at once — `GET tenants/{id}` and the access checks other
 * services make — sent one statement per lookup, and on a small machine each of them cost more in
 * waking a sleeping Postgres backend and in its round trip than in the lookup itself (a lone
 * `SELECT` costs the client ~95 µs of CPU where it costs ~27 µs when the backend is busy anyway).
 * Lookups asked for in the same turn of the event loop — the RPCs of one socket read, say — are
 * sent together: `load` gets their keys and returns one answer per key, in order.
 *
 * Only for reads outside a transaction: a lookup that must see its own transaction's writes, or
 * lock, goes to the database itself. An error in `load` rejects every lookup of that batch.
 */
export class ReadBatch<K, R> {
  private pending: Array<{ key: K; resolve: (value: R | undefined) => void; reject: (err: unknown) => void }> = [];
  private scheduled = false;

  constructor(
    private readonly load: (keys: readonly K[]) => Promise<ReadonlyArray<R | undefined>>,
    private readonly maxBatch = 100,
  ) {}

  /** The answer for `key`, or undefined when there is none. */
  get(key: K): Promise<R | undefined> {
    return new Promise<R | undefined>((resolve, reject) => {
      this.pending.push({ key, resolve, reject });
      if (this.pending.length >= this.maxBatch) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.flush();
        });
      }
    });
  }

  private flush(): void {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    this.load(batch.map((p) => p.key)).then(
      (answers) => {
        if (answers.length !== batch.length) {
          const err = new Error(`a batched read answered ${answers.length} of ${batch.length} keys`);
          for (const p of batch) p.reject(err);
          return;
        }
        batch.forEach((p, i) => p.resolve(answers[i]));
      },
      (err: unknown) => {
        for (const p of batch) p.reject(err);
      },
    );
  }
}
