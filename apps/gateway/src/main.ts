import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig } from '@saas/config';
import { createLogger, initTracing, shutdownTracing } from '@saas/observability';
import { announceReady, stopWhenParentGoes } from '@saas/service-kit';
import { gatewayConfigSchema, type GatewayConfig } from './config.js';
import { createGateway } from './gateway.js';

let config: GatewayConfig;
try {
  config = loadConfig('gateway', gatewayConfigSchema);
} catch (err) {
  createLogger('gateway').fatal({ issues: err instanceof ConfigError ? err.issues : undefined }, (err as Error).message);
  process.exit(1);
}

const version = process.env.npm_package_version ?? '0.1.0';
initTracing({ service: 'gateway', version, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT, namespace: config.OTEL_SERVICE_NAMESPACE, sampleRatio: config.OTEL_TRACES_SAMPLER_ARG });
const logger = createLogger('gateway', config.LOG_LEVEL);

let app: Awaited<ReturnType<typeof createGateway>>;
try {
  app = await createGateway(config, { logger, version });
  await app.listen({ port: config.PORT, host: config.HOST });
} catch (err) {
  logger.fatal({ err }, `gateway failed to start: ${(err as Error).message}`);
  process.exit(1);
}

// PORT=0 picks a free port: the ready line says which one.
const { port } = app.getHttpServer().address() as AddressInfo;
const shownHost = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
logger.info({ url: `http://${shownHost}:${port}`, port, version, prefix: config.SUBJECT_PREFIX || undefined }, `gateway ready on http://${shownHost}:${port}`);

let stopping = false;
const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'gateway stopping');
    setTimeout(() => {
      logger.error('gateway did not stop in time');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS).unref(); // a close that hangs (a stuck request) must not keep the pod from being replaced
    app
      .close()
      .then(() => shutdownTracing())
      .then(
        () => {
          logger.info('gateway stopped');
          process.exit(0);
        },
        (err: unknown) => {
          logger.error({ err }, 'gateway failed to stop cleanly');
          process.exit(1);
        },
      );
};
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => stop(signal));
stopWhenParentGoes(stop);
announceReady('gateway', { port, url: `http://${shownHost}:${port}` });
