import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Gauge } from 'prom-client';
import { metricsRegistry } from '@saas/observability';

const RESOLUTION_MS = 5;
let histogram: IntervalHistogram | undefined;

/**
 * `saas_event_loop_delay_seconds{quantile}`: how late the gateway's event loop ran timers since the
 * last scrape (p50, p90, p99, max). Unlike prom-client's `nodejs_eventloop_lag_*_seconds`, which
 * report the raw interval of its 10 ms timer (an idle loop shows 0.010), this is the delay *beyond*
 * the timer's interval: an idle loop shows ~0. Each scrape starts a new measurement window.
 */
export function registerEventLoopDelayMetric(): void {
  if (histogram) return;
  const h = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  h.enable();
  histogram = h;
  const delay = (ns: number) => Math.max(0, ns / 1e9 - RESOLUTION_MS / 1000);
  new Gauge({
    name: 'saas_event_loop_delay_seconds',
    help: 'Event-loop delay beyond the expected timer interval since the last scrape, by quantile (1 = max)',
    labelNames: ['quantile'],
    registers: [metricsRegistry],
    collect() {
      if (h.count > 0) {
        this.set({ quantile: '0.5' }, delay(h.percentile(50)));
        this.set({ quantile: '0.9' }, delay(h.percentile(90)));
        this.set({ quantile: '0.99' }, delay(h.percentile(99)));
        this.set({ quantile: '1' }, delay(h.max));
      }
      h.reset();
    },
  });
}
