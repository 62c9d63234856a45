import { randomUUID } from 'node:crypto';
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type Consumer,
  type ConsumerConfig,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { EventEnvelopeDto, plainlyValidEnvelope, validatePayload, type EventEnvelope } from '@saas/contracts';
import { backoffDelay, DomainException, retryTransient, transientKind } from '@saas/errors';
import { CORRELATION_HEADER, eventsHandled, extractTraceContext, inSpan, SpanKind, workContext } from '@saas/observability';
import { DeadLetter } from './entities.js';
import type { BatchEventHandlerFn, EventHandlerFn, RegisteredEventHandler } from './event-handler.decorator.js';
import type { SubjectNaming } from './naming.js';

export interface EventConsumerOptions {
  /** Durable name, shared by every replica of the service. */
  durable: string;
  handlers: RegisteredEventHandler[];
  /** Deliveries before a failing message is parked as a dead letter. */
  maxDeliver: number;
  /** First retry delay; doubles per attempt (with jitter), capped at `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs?: number;
  /**
   * Messages handled at once. Each tenant's events (envelope.tenant_id) are still handled one at a
   * time in stream order; events of different tenants run side by side. 1 = strictly sequential.
   */
  concurrency?: number;
  /**
   * Messages handled in one transaction at most (EVENT_BATCH_SIZE). 1, the default: a transaction
   * per message. Above 1, messages are spread by tenant over `concurrency` partitions; each
   * partition takes what has arrived (up to this many) and handles it in one transaction, in stream
   * order — one inbox statement, the handlers, one commit, then the acks. A batch that fails is
   * handled again one message at a time, so a bad message is retried or parked alone.
   */
  batchSize?: number;
  ackWaitMs?: number;
  /**
   * A handler failing transiently (RPC timeout, no responders, NATS or Postgres gone, serialization
   * failure) is retried with backoff without using up `maxDeliver`, until the message is this old;
   * then it is parked like any other. Default 1 hour.
   */
  transientDeadlineMs?: number;
  /**
   * A transient failure is first retried where it happened, for up to this long (default
   * IN_PLACE_RETRY_MS): the message's tenant lane waits, so a tenant's events keep their order
   * through a blip (a Postgres restart, a failover). Past it the message goes back to the stream
   * (nak with backoff, as above) and the lane moves on. 0: straight back to the stream.
   */
  inPlaceRetryMs?: number;
  /** Test seam: runs after the handler's transaction committed, before the ack. */
  beforeAck?: (event: EventEnvelope) => Promise<void> | void;
}

type Outcome = 'handled' | 'duplicate' | 'retried' | 'parked' | 'ignored';

class PermanentFailure extends Error {}

/** `@OnEvent(ANY_EVENT)` handles every event type on the stream. */
export const ANY_EVENT = '*';

/** Full jitter on the upper half: spreads retries of a burst without ever retrying immediately. */
export function retryDelay(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  return backoffDelay(attempt, baseMs, maxMs, random);
}

/** Deliveries of messages in flight that failed transiently (by stream sequence), bounded. */
const MAX_TRACKED_BLIPS = 10_000;
/** A blip's retries stay frequent, so a handler resumes within seconds of NATS or Postgres coming back. */
const MAX_TRANSIENT_BACKOFF_MS = 10_000;
/**
 * How long a transient failure is retried in place before its message goes back to the stream.
 * A nak'd message comes back after the ones behind it were handled: a tenant's events reached the
 * webhooks out of order after every Postgres restart.
 */
export const IN_PLACE_RETRY_MS = 15_000;

/**
 * A durable JetStream pull consumer with an inbox. Messages are handled one at a time in stream
 * order; each is recorded in the inbox in the same transaction as the handler's writes, acked after
 * commit, retried with backoff when the handler fails, and parked in `dead_letters` after
 * `maxDeliver` attempts so the ones behind it keep flowing. Parked messages can be replayed.
 */
export class EventConsumer {
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;
  private stopping = false;
  /** Aborted by stop(): a retry in place ends at its next failure. */
  private stopSignal = new AbortController();
  /** Why the consumer is not reading right now (missed heartbeats, consumer gone), or undefined. */
  private stalled?: string;
  private readonly byType = new Map<string, RegisteredEventHandler[]>();
  /**
   * Transient failures per message (stream sequence): JetStream counts every delivery, these are
   * taken off that count before comparing it with maxDeliver. Per replica and in memory — a
   * replica that restarts forgets them, which can only park later, never sooner than without.
   */
  private readonly blips = new Map<number, number>();

  constructor(
    private readonly ds: DataSource,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly naming: SubjectNaming,
    private readonly logger: Logger,
    private readonly options: EventConsumerOptions,
  ) {
    for (const h of options.handlers) {
      const list = this.byType.get(h.type) ?? [];
      list.push(h);
      this.byType.set(h.type, list);
    }
  }

  get durable(): string {
    return this.options.durable;
  }

  get eventTypes(): string[] {
    return [...this.byType.keys()];
  }

  /**
   * Creates or updates the durable consumer so its filter matches today's handlers.
   *
   * Fixed: the filter used to be always `filter_subjects` (an array), which @nats-io/jetstream v3
   * refuses before even asking a server older than 2.10 (`'filter_subjects' requires server 2.10.0`),
   * so no service with event handlers could start there (this machine runs 2.9). Now one type uses
   * `filter_subject` (every server), several use `filter_subjects` where supported and otherwise
   * the whole events wildcard (types without a handler are acked as 'ignored'). Not-found is detected
   * by the v3 error code (the old `api_error.err_code` check never matched; only a message regex did),
   * and a replica that loses the create race updates instead of failing.
   */
  async ensure(): Promise<void> {
    // A '*' handler (e.g. the audit log) sees every event type.
    const subjects = this.byType.has(ANY_EVENT) ? [this.naming.eventsWildcard] : this.eventTypes.map((t) => this.naming.event(t));
    const common: Partial<ConsumerConfig> = {
      ack_wait: (this.options.ackWaitMs ?? 30_000) * 1_000_000,
      // Parking is ours (with the reason recorded); JetStream must never drop a message silently.
      max_deliver: -1,
      max_ack_pending: 1_000,
    };
    // Explicit `undefined` clears the other filter field of an existing consumer on update.
    const filters: Array<Partial<ConsumerConfig>> =
      subjects.length === 1
        ? [{ filter_subject: subjects[0], filter_subjects: undefined }]
        : [
            { filter_subjects: subjects, filter_subject: undefined },
            { filter_subject: this.naming.eventsWildcard, filter_subjects: undefined },
          ];
    let unsupported: unknown;
    for (const filter of filters) {
      try {
        await this.createOrUpdate({ ...common, ...filter });
        return;
      } catch (err) {
        if (!/filter_subjects.*requires server/i.test((err as Error)?.message ?? '')) throw err;
        unsupported = err;
      }
    }
    throw unsupported;
  }

  private async createOrUpdate(config: Partial<ConsumerConfig>): Promise<void> {
    const stream = this.naming.streamName;
    const durable = this.options.durable;
    try {
      await this.jsm.consumers.info(stream, durable);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      try {
        await this.jsm.consumers.add(stream, {
          ...config,
          durable_name: durable,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
        });
        return;
      } catch (addErr) {
        // Another replica created it between our info and add: bring it up to date below.
        if (!/already (exists|in use)/i.test((addErr as Error)?.message ?? '')) throw addErr;
      }
    }
    // v3: update(stream, durable, partial) merges the partial into the consumer's current config.
    await this.jsm.consumers.update(stream, durable, config);
  }

  async start(): Promise<void> {
    if (this.byType.size === 0) return;
    await this.ensure();
    this.stopping = false;
    this.stopSignal = new AbortController();
    const first = await this.open();
    this.loop = this.follow(first);
  }

  /**
   * Whether the consumer is reading: the server's idle heartbeats (or messages) keep arriving. Down
   * after missed heartbeats, a lost consumer or stream, or while the reading is being restarted.
   */
  reading(): { ok: boolean; detail?: string } {
    if (this.byType.size === 0) return { ok: true };
    if (!this.messages) return { ok: false, detail: 'not reading (restarting)' };
    return this.stalled ? { ok: false, detail: this.stalled } : { ok: true };
  }

  private async open(): Promise<ConsumerMessages> {
    const consumer: Consumer = await this.js.consumers.get(this.naming.streamName, this.options.durable);
    const messages = await consumer.consume({ max_messages: 64, expires: 10_000 });
    this.messages = messages;
    this.stalled = undefined;
    void (async () => {
      for await (const n of messages.status()) {
        if (n.type === 'heartbeats_missed') this.stalled = `missed ${n.count} heartbeats`;
        else if (n.type === 'consumer_not_found' || n.type === 'stream_not_found' || n.type === 'consumer_deleted' || n.type === 'no_responders') this.stalled = n.type.replace(/_/g, ' ');
        else if (n.type === 'heartbeat' || n.type === 'reset') this.stalled = undefined;
      }
    })().catch(() => undefined);
    return messages;
  }

  /**
   * Handles messages until stopped. Should the client give the consumer up (it was deleted, the
   * stream was re-created…), it is ensured and opened again with backoff: a service never stays
   * deaf to its events while it runs.
   */
  private async follow(first: ConsumerMessages): Promise<void> {
    let messages: ConsumerMessages | undefined = first;
    let failures = 0;
    while (!this.stopping) {
      try {
        messages ??= await (async () => {
          await this.ensure();
          return this.open();
        })();
        failures = 0;
        if ((this.options.batchSize ?? 1) > 1) await this.dispatchInBatches(messages);
        else await this.dispatchInLanes(messages);
      } catch (err) {
        this.stalled = (err as Error).message ?? String(err);
      }
      messages = undefined;
      this.messages = undefined;
      if (this.stopping) break;
      const delay = retryDelay(++failures, 250, 5_000);
      this.logger.warn({ consumer: this.options.durable, err: this.stalled, retry_in_ms: delay }, 'event consumer stopped reading; reopening');
      await new Promise((r) => setTimeout(r, delay).unref());
    }
  }

  /**
   * One lane per tenant: a message waits for the previous message of its tenant, so a tenant's
   * events keep their order (a saga needs it), while different tenants' events do not wait for
   * each other. At most `concurrency` messages are taken in at once.
   */
  private async dispatchInLanes(messages: ConsumerMessages): Promise<void> {
    const max = Math.max(1, this.options.concurrency ?? 1);
    const lanes = new Map<string, Promise<void>>();
    let taken = 0;
    for await (const msg of messages) {
      this.stalled = undefined; // a message is proof of life
      if (this.ackedUnread(msg)) continue;
      while (taken >= max) await Promise.race(lanes.values());
      const key = laneOf(msg);
      taken++;
      const previous = lanes.get(key) ?? Promise.resolve();
      const current: Promise<void> = previous
        .then(() => this.process(msg))
        .then(
          () => undefined,
          (err: unknown) => this.logger.error({ err }, 'event consumer failed to process a message'),
        )
        .finally(() => {
          taken--;
          if (lanes.get(key) === current) lanes.delete(key);
        });
      lanes.set(key, current);
    }
    await Promise.all(lanes.values());
  }

  /**
   * On a server without filter_subjects a consumer of several types reads the whole events
   * wildcard, its own service's events included (billing: 4 per renewal, 40,000 in a run of 10,000).
   * Those nobody here handles are acked unread — no JSON parse, no envelope validation, no double
   * ack, no lane — so they cost the event loop (and the RPCs sharing it) next to nothing.
   */
  private ackedUnread(msg: JsMsg): boolean {
    if (this.byType.has(ANY_EVENT)) return false;
    const type = this.naming.typeOf(msg.subject);
    if (this.byType.has(type)) return false;
    msg.ack();
    eventsHandled.inc({ consumer: this.options.durable, type, outcome: 'ignored' });
    return true;
  }

  /**
   * Batches, in `concurrency` partitions by tenant: a partition handles one batch at a time, in
   * stream order, so a tenant's events keep their order; a batch is what arrived for the partition
   * while its previous batch ran (up to batchSize), so under light load a batch is one message and
   * waits for nothing. At most two batches per partition are taken in at once.
   */
  private async dispatchInBatches(messages: ConsumerMessages): Promise<void> {
    const size = Math.max(1, this.options.batchSize ?? 1);
    const partitions = Math.max(1, this.options.concurrency ?? 1);
    const queues: JsMsg[][] = Array.from({ length: partitions }, () => []);
    const running: Array<Promise<void> | undefined> = Array.from({ length: partitions }, () => undefined);
    let taken = 0;
    let freed: (() => void) | undefined;
    const drain = (k: number): Promise<void> => {
      const batch = queues[k]!.splice(0, size);
      return this.processBatch(batch)
        .catch((err: unknown) => this.logger.error({ err }, 'event consumer failed to process a batch'))
        .finally(() => {
          taken -= batch.length;
          freed?.();
          freed = undefined;
          running[k] = queues[k]!.length > 0 ? drain(k) : undefined;
        });
    };
    for await (const msg of messages) {
      this.stalled = undefined; // a message is proof of life
      if (this.ackedUnread(msg)) continue;
      while (taken >= size * partitions * 2) await new Promise<void>((r) => (freed = r));
      const k = partitionOf(laneOf(msg), partitions);
      queues[k]!.push(msg);
      taken++;
      running[k] ??= drain(k);
    }
    while (running.some(Boolean)) await Promise.all(running);
  }

  /** One transaction for the messages of a batch that parse and have handlers; the rest, and all of them should it fail, one by one. */
  private async processBatch(batch: JsMsg[]): Promise<void> {
    if (batch.length === 1) {
      await this.process(batch[0]!);
      return;
    }
    const items: Array<{ msg: JsMsg; envelope: EventEnvelopeDto; handlers: RegisteredEventHandler[]; headers: Record<string, string> }> = [];
    const alone: JsMsg[] = [];
    for (const msg of batch) {
      try {
        const envelope = this.parse(msg.string());
        const handlers = this.handlersOf(envelope);
        if (handlers.length === 0) alone.push(msg);
        else items.push({ msg, envelope, handlers, headers: Object.fromEntries([...(msg.headers?.keys() ?? [])].map((k) => [k, msg.headers!.get(k)])) });
      } catch {
        alone.push(msg); // parked (or ignored) the one-message way
      }
    }
    const ackWaitMs = this.options.ackWaitMs ?? 30_000;
    const heartbeat = setInterval(() => items.forEach((i) => i.msg.working()), Math.max(50, Math.floor(ackWaitMs / 2)));
    let outcomes: Outcome[] | undefined;
    // Still failing transiently after the batch's retries in place: the messages go back to the
    // stream one by one at once, not after another wait each (the rest of the batch, without a
    // heartbeat meanwhile, would be redelivered by JetStream).
    let blipping = false;
    try {
      if (items.length > 0) outcomes = await this.inPlace(() => this.dispatchBatch(items), () => items.map((i) => i.envelope.id));
    } catch (err) {
      blipping = transientKind(err) !== null;
      this.logger.warn({ err: describe(err), events: items.length }, 'a batch of events failed; handling them one by one');
    } finally {
      clearInterval(heartbeat);
    }
    if (outcomes) {
      if (this.options.beforeAck) for (const { envelope } of items) await this.options.beforeAck(envelope);
      // Plain acks, not a confirmed one per message (should one be lost, the redelivery is a
      // duplicate the inbox absorbs), all in one go: the client writes them to the socket together.
      for (const [i, { msg, envelope }] of items.entries()) {
        msg.ack();
        this.blips.delete(msg.seq);
        eventsHandled.inc({ consumer: this.options.durable, type: envelope.type, outcome: outcomes[i]! });
      }
    } else {
      for (const { msg } of items) await this.process(msg, !blipping);
    }
    for (const msg of alone) await this.process(msg);
  }

  /** The handlers of a batch in one transaction: one inbox statement, each event's handlers in its own work context, then the batch handlers once. */
  private async dispatchBatch(items: Array<{ envelope: EventEnvelope; handlers: RegisteredEventHandler[]; headers: Record<string, string> }>): Promise<Outcome[]> {
    return inSpan(
      `events batch (${items.length})`,
      SpanKind.CONSUMER,
      { 'messaging.system': 'nats', 'messaging.operation': 'process', 'messaging.consumer.group.name': this.options.durable, 'messaging.batch.message_count': items.length },
      () =>
        this.ds.transaction(async (tx) => {
          const inserted: Array<{ event_id: string }> = await tx.query(
            `INSERT INTO inbox (consumer, event_id, type) SELECT $1, x.e, x.t FROM unnest($2::uuid[], $3::text[]) AS x(e, t)
             ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id`,
            [this.options.durable, items.map((i) => i.envelope.id), items.map((i) => i.envelope.type)],
          );
          const fresh = new Set(inserted.map((r) => r.event_id.toLowerCase()));
          const outcomes: Outcome[] = items.map((i) => {
            const id = i.envelope.id.toLowerCase();
            // A message delivered twice within one batch is handled once.
            if (!fresh.delete(id)) return 'duplicate';
            return 'handled';
          });
          const batchHandlers: RegisteredEventHandler[] = [];
          for (const [n, item] of items.entries()) {
            if (outcomes[n] !== 'handled') continue;
            const { envelope, headers } = item;
            const ctx = { correlationId: envelope.correlation_id ?? headers[CORRELATION_HEADER] ?? randomUUID(), causationId: envelope.id, actor: envelope.actor };
            await workContext.run(ctx, async () => {
              for (const h of item.handlers) {
                if (h.batch) {
                  if (!batchHandlers.includes(h)) batchHandlers.push(h);
                } else await (h.handle as EventHandlerFn)(envelope, tx);
              }
            });
          }
          for (const h of batchHandlers) {
            const events = items.filter((item, n) => outcomes[n] === 'handled' && item.handlers.includes(h)).map((i) => i.envelope);
            await (h.handle as BatchEventHandlerFn)(events, tx);
          }
          return outcomes;
        }),
    );
  }

  /**
   * `fn` again after a backoff while it fails transiently, for up to `inPlaceRetryMs` (the caller
   * keeps telling JetStream it is working on the messages); stopping, a permanent failure or the
   * time up ends it with the error, for the usual handling.
   */
  private inPlace<T>(fn: () => Promise<T>, events: () => string[]): Promise<T> {
    return retryTransient(
      fn,
      {
        // Stopping: the last attempt's error ends it (the message goes back to the stream).
        signal: this.stopSignal.signal,
        deadlineMs: this.options.inPlaceRetryMs ?? IN_PLACE_RETRY_MS,
        baseMs: 100,
        maxMs: 2_000,
        permanent: (err) => err instanceof PermanentFailure,
        onRetry: (err, transient, attempt, wait) =>
          this.logger.warn({ err: describe(err), event_ids: events().slice(0, 20), transient, attempt, retry_in_ms: wait }, 'event handler hit a transient failure; retrying in place'),
      },
    );
  }

  /** Stops pulling; the message being handled finishes and is acked first. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopSignal.abort();
    await this.messages?.close().catch(() => undefined);
    await this.loop;
    this.messages = undefined;
  }

  private async process(msg: JsMsg, retryInPlace = true): Promise<Outcome> {
    const attempts = msg.info.deliveryCount;
    let raw = '';
    let envelope: EventEnvelopeDto | undefined;
    const headers = Object.fromEntries([...(msg.headers?.keys() ?? [])].map((k) => [k, msg.headers!.get(k)]));
    let outcome: Outcome;
    // A handler may run longer than the ack wait (e.g. provisioning): keep telling JetStream we are
    // on it, or it redelivers the message mid-handling (to another replica too) and the extra
    // deliveries count towards maxDeliver, parking a message that never failed.
    const ackWaitMs = this.options.ackWaitMs ?? 30_000;
    const heartbeat = setInterval(() => msg.working(), Math.max(50, Math.floor(ackWaitMs / 2)));
    try {
      raw = msg.string();
      envelope = this.parse(raw);
      const parsed = envelope;
      outcome = retryInPlace ? await this.inPlace(() => this.dispatch(parsed, headers), () => [parsed.id]) : await this.dispatch(parsed, headers);
      if (outcome !== 'ignored') await this.options.beforeAck?.(envelope);
      await msg.ackAck().catch(() => msg.ack());
      this.blips.delete(msg.seq);
    } catch (err) {
      outcome = await this.failed(msg, err, raw, headers, envelope, attempts);
    } finally {
      clearInterval(heartbeat);
    }
    eventsHandled.inc({ consumer: this.options.durable, type: envelope?.type ?? 'unknown', outcome });
    return outcome;
  }

  /**
   * Transient is not failure: a blip is retried with backoff and does not count towards maxDeliver
   * until the message is `transientDeadlineMs` old. Anything else counts; a permanent failure (bad
   * envelope or payload) or the last attempt parks the message so the ones behind it keep flowing.
   */
  private async failed(msg: JsMsg, err: unknown, raw: string, headers: Record<string, string>, envelope: EventEnvelope | undefined, attempts: number): Promise<Outcome> {
    const permanent = err instanceof PermanentFailure;
    const transient = permanent ? null : transientKind(err);
    const blips = (this.blips.get(msg.seq) ?? 0) + (transient ? 1 : 0);
    const ageMs = Date.now() - Math.floor(msg.info.timestampNanos / 1e6);
    const counted = attempts - blips;
    const giveUp = transient ? ageMs >= (this.options.transientDeadlineMs ?? 3_600_000) : permanent || counted >= this.options.maxDeliver;
    const maxBackoffMs = this.options.maxBackoffMs ?? 60_000;
    const retry = (n: number) => {
      const delay = retryDelay(n, this.options.backoffMs, transient ? Math.min(maxBackoffMs, MAX_TRANSIENT_BACKOFF_MS) : maxBackoffMs);
      msg.nak(delay);
      return delay;
    };
    if (!giveUp) {
      if (transient) {
        this.blips.set(msg.seq, blips);
        if (this.blips.size > MAX_TRACKED_BLIPS) this.blips.delete(this.blips.keys().next().value!);
      }
      const delay = retry(transient ? blips : counted);
      const log = { err: transient ? describe(err) : err, event_id: envelope?.id, type: envelope?.type, attempts, transient: transient ?? undefined, retry_in_ms: delay };
      if (transient) this.logger.warn(log, 'event handler hit a transient failure; will retry');
      else this.logger.warn(log, 'event handler failed; will retry');
      return 'retried';
    }
    try {
      await this.park(msg.subject, raw, headers, envelope, err, attempts);
    } catch (parkErr) {
      // Postgres is gone too: try again later rather than drop or hot-loop.
      retry(Math.max(1, counted));
      this.logger.warn({ err: describe(parkErr), event_id: envelope?.id }, 'cannot park the event now; will retry');
      return 'retried';
    }
    // Fixed: no reason on the TERM. Servers before 2.10 do not parse "+TERM <reason>" and ignore
    // it, so the parked message came back after every ack wait and was parked again and again.
    // The reason is recorded in dead_letters, where operators read it.
    msg.term();
    this.blips.delete(msg.seq);
    this.logger.error({ err, event_id: envelope?.id, type: envelope?.type, attempts }, 'event parked as a dead letter');
    return 'parked';
  }

  private parse(raw: string): EventEnvelopeDto {
    let plain: unknown;
    try {
      plain = JSON.parse(raw);
    } catch {
      throw new PermanentFailure('message is not JSON');
    }
    try {
      // `data` is checked to be an object here and validated by the handlers' contract classes;
      // transforming it with the envelope deep-copied every payload once more for nothing (a tenth
      // of the webhooks consumer's time in a burst).
      // The common case without class-validator (same rules; anything in doubt goes the long way).
      const fast = plainlyValidEnvelope(plain);
      if (fast) return fast;
      const raw = plain as Record<string, unknown> | null;
      const data = raw?.data;
      const object = typeof data === 'object' && data !== null && !Array.isArray(data);
      // Events are an additive contract: unknown fields are kept, never a reason to park.
      const envelope = validatePayload(EventEnvelopeDto, object ? { ...raw, data: {} } : plain, 'event envelope', { unknownFields: 'keep' });
      if (object) envelope.data = data as Record<string, unknown>;
      return envelope;
    } catch (err) {
      throw new PermanentFailure(describe(err));
    }
  }

  /** The handlers of an event, its data validated against their contract classes (a PermanentFailure when it does not fit). */
  private handlersOf(envelope: EventEnvelope): RegisteredEventHandler[] {
    const handlers = [...(this.byType.get(envelope.type) ?? []), ...(this.byType.get(ANY_EVENT) ?? [])];
    for (const h of handlers) {
      if (!h.data) continue;
      try {
        envelope.data = validatePayload(h.data, envelope.data, `${envelope.type} data`, { unknownFields: 'keep' }) as Record<string, unknown>;
      } catch (err) {
        throw new PermanentFailure(describe(err));
      }
    }
    return handlers;
  }

  /** Runs the handlers of one event exactly once (inbox), in the trace and correlation of its producer. */
  private async dispatch(envelope: EventEnvelope, headers: Record<string, string>): Promise<Outcome> {
    const handlers = this.handlersOf(envelope);
    if (handlers.length === 0) return 'ignored';
    const parent = extractTraceContext((k) => headers[k]);
    const ctx = {
      correlationId: envelope.correlation_id ?? headers[CORRELATION_HEADER] ?? randomUUID(),
      causationId: envelope.id,
      actor: envelope.actor,
    };
    return workContext.run(ctx, () =>
      inSpan(
        `event ${envelope.type}`,
        SpanKind.CONSUMER,
        { 'messaging.system': 'nats', 'messaging.operation': 'process', 'messaging.consumer.group.name': this.options.durable },
        () =>
          this.ds.transaction(async (tx) => {
            const inserted: unknown[] = await tx.query(
              `INSERT INTO inbox (consumer, event_id, type) VALUES ($1, $2, $3)
               ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id`,
              [this.options.durable, envelope.id, envelope.type],
            );
            if (inserted.length === 0) return 'duplicate' as const;
            for (const h of handlers) await (h.batch ? (h.handle as BatchEventHandlerFn)([envelope], tx) : (h.handle as EventHandlerFn)(envelope, tx));
            return 'handled' as const;
          }),
        parent,
      ),
    );
  }

  private async park(
    subject: string,
    raw: string,
    headers: Record<string, string>,
    envelope: EventEnvelope | undefined,
    err: unknown,
    attempts: number,
  ): Promise<void> {
    const repo = this.ds.getRepository(DeadLetter);
    // A message redelivered after it was parked (e.g. the process died between parking and the
    // TERM) must not become a second dead letter: one parked row per event and consumer.
    if (envelope?.id && (await repo.existsBy({ consumer: this.options.durable, eventId: envelope.id, status: 'parked' }))) return;
    await repo.insert({
      id: randomUUID(),
      consumer: this.options.durable,
      subject,
      eventId: envelope?.id ?? null,
      type: envelope?.type ?? null,
      payload: raw,
      headers,
      error: describe(err).slice(0, 4000),
      attempts,
      status: 'parked',
    });
  }

  /**
   * Runs a parked message through its handlers again (inbox-protected). On success the dead letter
   * is marked replayed; on failure it stays parked with the new error.
   */
  async replay(deadLetterId: string): Promise<{ id: string; status: 'replayed' | 'parked'; error?: string }> {
    const repo = this.ds.getRepository(DeadLetter);
    const letter = await repo.findOneBy({ id: deadLetterId, consumer: this.options.durable });
    if (!letter) throw new DomainException('DEAD_LETTER_NOT_FOUND', `No dead letter ${deadLetterId}.`, { status: 404 });
    if (letter.status === 'replayed') return { id: letter.id, status: 'replayed' };
    try {
      const envelope = this.parse(letter.payload);
      await this.dispatch(envelope, letter.headers);
      await repo.update({ id: letter.id }, { status: 'replayed', replayedAt: new Date() });
      return { id: letter.id, status: 'replayed' };
    } catch (err) {
      const error = describe(err).slice(0, 4000);
      await repo.update({ id: letter.id }, { error, attempts: letter.attempts + 1 });
      return { id: letter.id, status: 'parked', error };
    }
  }

  async lag(): Promise<{ name: string; pending: number; ack_pending: number; redelivered: number }> {
    const info = await this.jsm.consumers.info(this.naming.streamName, this.options.durable);
    return {
      name: this.options.durable,
      pending: info.num_pending,
      ack_pending: info.num_ack_pending,
      redelivered: info.num_redelivered,
    };
  }
}

/** The ordering key of a message: its tenant (events of no tenant share one lane). */
function laneOf(msg: JsMsg): string {
  try {
    return msg.json<{ tenant_id?: unknown }>().tenant_id?.toString() ?? '';
  } catch {
    return '';
  }
}

/** The partition of a lane (FNV-1a of the tenant id): one tenant, one partition. */
function partitionOf(lane: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < lane.length; i++) h = Math.imul(h ^ lane.charCodeAt(i), 0x01000193);
  return (h >>> 0) % partitions;
}

function describe(err: unknown): string {
  if (err instanceof DomainException && err.errors?.length) {
    return `${err.message} ${err.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`;
  }
  return err instanceof Error ? err.message : String(err);
}

function isNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound;
}
