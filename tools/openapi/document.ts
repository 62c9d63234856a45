import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { loadConfig } from '@saas/config';
import { gatewayConfigSchema } from '../../apps/gateway/src/config.js';
import { createGateway } from '../../apps/gateway/src/gateway.js';

/**
 * The OpenAPI document exactly as the gateway serves it at /docs/openapi.json, from an in-process
 * gateway (it needs a reachable NATS, nothing else; on a prefix of its own, so no running platform
 * is touched).
 */
export async function gatewayOpenApiDocument(env: NodeJS.ProcessEnv = process.env): Promise<Record<string, unknown>> {
  const config = loadConfig('gateway', gatewayConfigSchema, {
    NATS_URL: env.NATS_URL ?? 'nats://127.0.0.1:4222',
    DATABASE_URL: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/saas_platform',
    SUBJECT_PREFIX: `openapi_${randomBytes(4).toString('hex')}.`,
    LOG_LEVEL: 'silent',
  });
  const app = await createGateway(config, { logger: pino({ level: 'silent' }), swaggerUi: false });
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.getHttpServer().address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/docs/openapi.json`);
    if (!res.ok) throw new Error(`the gateway answered ${res.status} for its OpenAPI document`);
    const doc = (await res.json()) as Record<string, unknown>;
    // The server entry names where this in-process gateway listened: the SDK's is the documented default.
    return { ...doc, servers: [{ url: 'http://localhost:3000', description: 'npm start on this machine' }] };
  } finally {
    await app.close();
  }
}
