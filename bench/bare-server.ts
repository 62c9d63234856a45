import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The baseline of the gateway benchmark: a bare node:http server answering a small JSON body, in
 * its own process (like the gateway), so the load generator never shares its event loop. With
 * BARE_HEADERS (JSON) and BARE_BODY it answers with exactly those instead — the gateway's own
 * response, replayed without any of the gateway's work, to show what the response alone costs.
 * With BARE_WORK_US it spins that long per request: the calibration of how much per-request work
 * the ratio target leaves room for on this machine.
 */
const body = process.env.BARE_BODY ?? JSON.stringify({ hello: 'world' });
/** BARE_WORK_US: that many µs of busy work per request — what a fixed amount of request handling costs in requests/s. */
const workNs = BigInt(Math.round(Number(process.env.BARE_WORK_US ?? 0) * 1000));
const extra = JSON.parse(process.env.BARE_HEADERS ?? '{}') as Record<string, string>;
const headers = { ...extra, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) };
const server = createServer((_req, res) => {
  if (workNs > 0n) {
    const until = process.hrtime.bigint() + workNs;
    while (process.hrtime.bigint() < until);
  }
  res.writeHead(200, headers);
  res.end(body);
});
server.keepAliveTimeout = 72_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ msg: 'bare server ready', url: `http://127.0.0.1:${port}` })}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
