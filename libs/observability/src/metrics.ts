import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** One registry per process; every service exposes it at `/metrics` for Prometheus. */
export const metricsRegistry = new Registry();
let defaultsCollected = false;

export function initMetrics(service: string): Registry {
  if (!defaultsCollected) {
    metricsRegistry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: metricsRegistry });
    defaultsCollected = true;
  }
  return metricsRegistry;
}

export const rpcDuration = new Histogram({
  name: 'saas_rpc_duration_seconds',
  help: 'Duration of NATS RPC calls made by this process',
  labelNames: ['subject', 'outcome'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

export const eventsPublished = new Counter({
  name: 'saas_events_published_total',
  help: 'Events published to JetStream by the outbox relay',
  labelNames: ['type'],
  registers: [metricsRegistry],
});

export const eventsHandled = new Counter({
  name: 'saas_events_handled_total',
  help: 'Events received by durable consumers, by outcome (handled, duplicate, retried, parked)',
  labelNames: ['consumer', 'type', 'outcome'],
  registers: [metricsRegistry],
});

export const httpDuration = new Histogram({
  name: 'saas_http_request_duration_seconds',
  help: 'Duration of HTTP requests served by the gateway',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

/**
 * A tiny listener for services that have no HTTP server of their own: `/metrics` for Prometheus,
 * `/health` for liveness (the process answers) and `/ready` for readiness (its dependencies answer).
 * Keeping them apart means a database outage takes replicas out of rotation without restarting them.
 */
export async function startMetricsServer(
  port: number,
  ready: () => Promise<boolean>,
  host = '0.0.0.0',
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (req.url === '/metrics') {
      metricsRegistry
        .metrics()
        .then((body) => {
          res.writeHead(200, { 'content-type': metricsRegistry.contentType });
          res.end(body);
        })
        .catch(() => {
          res.writeHead(500).end();
        });
      return;
    }
    if (req.url === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok' }));
      return;
    }
    if (req.url === '/ready') {
      ready()
        .then((ok) => {
          res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ status: ok ? 'ok' : 'down' }));
        })
        .catch(() => res.writeHead(503).end());
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
