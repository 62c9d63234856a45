import type { MetricPoint, MetricsRange } from './tenant-runtime.js';

type Numeric = Exclude<keyof MetricPoint, 'timestamp'>;
const FIELDS: Numeric[] = ['cpu_percent', 'memory_bytes', 'storage_bytes', 'network_rx_bytes', 'network_tx_bytes'];

/**
 * The last `capacity` samples of one instance, so a metrics query over a time range returns a
 * series although the sources (/proc, metrics.k8s.io) only ever say "now".
 */
export class MetricsHistory {
  private readonly samples: MetricPoint[] = [];

  constructor(private readonly capacity: number) {}

  push(point: MetricPoint): void {
    this.samples.push(point);
    if (this.samples.length > this.capacity) this.samples.splice(0, this.samples.length - this.capacity);
  }

  latest(): MetricPoint | null {
    return this.samples.at(-1) ?? null;
  }

  /** Samples in the range, averaged per `step_s` bucket (buckets without samples are left out). */
  series(range: MetricsRange): MetricPoint[] {
    const from = range.from.getTime();
    const to = range.to.getTime();
    const stepMs = Math.max(1, range.step_s) * 1000;
    const buckets = new Map<number, MetricPoint[]>();
    for (const s of this.samples) {
      const t = Date.parse(s.timestamp);
      if (t < from || t > to) continue;
      const key = from + Math.floor((t - from) / stepMs) * stepMs;
      const bucket = buckets.get(key);
      if (bucket) bucket.push(s);
      else buckets.set(key, [s]);
    }
    return [...buckets.entries()]
      .sort(([a], [b]) => a - b)
      .map(([key, points]) => {
        const out: MetricPoint = {
          timestamp: new Date(key).toISOString(),
          cpu_percent: null,
          memory_bytes: null,
          storage_bytes: null,
          network_rx_bytes: null,
          network_tx_bytes: null,
        };
        for (const f of FIELDS) {
          const values = points.map((p) => p[f]).filter((v): v is number => v !== null);
          if (values.length) out[f] = Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 100) / 100;
        }
        return out;
      });
  }
}
