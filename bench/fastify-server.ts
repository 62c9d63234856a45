import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';

/**
 * A Fastify hello-world, the gateway's HTTP framework with nothing of the gateway's on it: shows
 * how much of the gap to the bare node:http server is the framework (benchmark calibration).
 */
const app = Fastify({ logger: false, keepAliveTimeout: 72_000 });
const body = { hello: 'world' };
app.get('/', () => body);
await app.listen({ port: 0, host: '127.0.0.1' });
const { port } = app.server.address() as AddressInfo;
process.stdout.write(`${JSON.stringify({ msg: 'fastify server ready', url: `http://127.0.0.1:${port}` })}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
