import { createEnvelope, type EventEnvelope, type NewEvent } from '@saas/contracts';
import { jetstream, jetstreamManager, DeliverPolicy } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

/** Publishes an event onto a test world's stream as a producing service would (Nats-Msg-Id = id). */
export async function publishEvent<T>(nc: NatsConnection, prefix: string, event: NewEvent<T>): Promise<EventEnvelope<T>> {
  const envelope = createEnvelope(event);
  await jetstream(nc).publish(`${prefix}events.${envelope.type}`, JSON.stringify(envelope), { msgID: envelope.id });
  return envelope;
}

/** Every event on a test world's stream so far (optionally of some types), oldest first. */
export async function readEvents(nc: NatsConnection, prefix: string, types?: string[]): Promise<EventEnvelope[]> {
  const stream = `${prefix.replace(/\.$/, '')}_EVENTS`;
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(stream).catch(() => null);
  if (!info || info.state.messages === 0) return [];
  // One filter subject only: multi-subject filters need NATS ≥ 2.10; types are picked out below.
  const consumer = await jetstream(nc).consumers.get(stream, {
    deliver_policy: DeliverPolicy.All,
    ...(types?.length === 1 ? { filter_subjects: `${prefix}events.${types[0]}` } : {}),
  });
  const out: EventEnvelope[] = [];
  for (;;) {
    const msg = await consumer.next({ expires: 1_000 });
    if (!msg) break;
    const event = msg.json<EventEnvelope>();
    if (!types || types.includes(event.type)) out.push(event);
    if (msg.info.pending === 0) break;
  }
  return out;
}
