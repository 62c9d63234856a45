import { describe, expect, it } from '@jest/globals';
import { MetricsHistory } from './metrics-history.js';

const point = (s: number, cpu: number | null, memory: number) => ({
  timestamp: new Date(s * 1000).toISOString(),
  cpu_percent: cpu,
  memory_bytes: memory,
  storage_bytes: null,
  network_rx_bytes: null,
  network_tx_bytes: null,
});

describe('MetricsHistory', () => {
  it('keeps the last N samples and averages them per step within the range', () => {
    const h = new MetricsHistory(4);
    [point(0, 1, 10), point(10, 2, 20), point(20, 4, 40), point(30, null, 60), point(40, 8, 80)].forEach((p) => h.push(p));
    expect(h.latest()).toEqual(point(40, 8, 80));
    // The first sample fell out of the buffer; 20 s buckets from t=0.
    const series = h.series({ from: new Date(0), to: new Date(40_000), step_s: 20 });
    expect(series.map((p) => [p.timestamp, p.cpu_percent, p.memory_bytes])).toEqual([
      [new Date(0).toISOString(), 2, 20],
      [new Date(20_000).toISOString(), 4, 50],
      [new Date(40_000).toISOString(), 8, 80],
    ]);
    expect(h.series({ from: new Date(100_000), to: new Date(200_000), step_s: 10 })).toEqual([]);
  });
});
