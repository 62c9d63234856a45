import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '@saas/observability';

/** Attempts by endpoint and outcome (`succeeded`, `failed`, `error` = no HTTP answer). */
export const webhookAttempts = new Counter({
  name: 'saas_webhook_attempts_total',
  help: 'Outgoing webhook requests, by endpoint and outcome',
  labelNames: ['endpoint', 'outcome'],
  registers: [metricsRegistry],
});

export const webhookFailures = new Counter({
  name: 'saas_webhook_failures_total',
  help: 'Outgoing webhook requests that failed (non-2xx or no answer), by endpoint and reason',
  labelNames: ['endpoint', 'reason'],
  registers: [metricsRegistry],
});

export const webhookLatency = new Histogram({
  name: 'saas_webhook_attempt_duration_seconds',
  help: 'Duration of outgoing webhook requests, by endpoint',
  labelNames: ['endpoint'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
  registers: [metricsRegistry],
});

export const webhookEndpointsDisabled = new Counter({
  name: 'saas_webhook_endpoints_disabled_total',
  help: 'Endpoints disabled by the platform (410 Gone, continuous failure)',
  registers: [metricsRegistry],
});
