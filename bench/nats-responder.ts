import { connect } from '@nats-io/transport-node';

/**
 * A bare nats.js responder (benchmark baseline for the RPC hop, issue 9): answers every request on
 * `NATS_SUBJECT` with the bytes of `REPLY_FILE`'s content, doing nothing else — no Nest, no
 * validation, no tracing, no database. What request/reply over this NATS costs by itself.
 */
const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222', noAsyncTraces: true });
const reply = new TextEncoder().encode(process.env.REPLY_BODY ?? '{}');
nc.subscribe(process.env.NATS_SUBJECT!, {
  callback: (_err, msg) => {
    msg.respond(reply);
  },
});
await nc.flush();
process.stdout.write(`${JSON.stringify({ msg: 'nats responder ready' })}\n`);
process.once('SIGTERM', () => void nc.drain().then(() => process.exit(0)));
