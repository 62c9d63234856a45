import { SetMetadata } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { eventPayloadClass, type EventEnvelope } from '@saas/contracts';

export const EVENT_HANDLER_METADATA = 'saas:event-handler';

export interface EventHandlerOptions {
  /**
   * Contract class `data` is validated against before the handler runs; by default the event
   * catalogue's class of the type (a consumer needs to name one only to ask for a narrower view).
   */
  data?: new () => object;
  /**
   * The handler takes an array of events (`(events: EventEnvelope[], tx) => …`): with
   * EVENT_BATCH_SIZE > 1 the consumer hands it every new event of a batch at once, in stream
   * order, in the batch's one transaction, after the per-event handlers have run for them all;
   * otherwise (and on a replay) it gets one event at a time. It runs outside the events' work
   * context: what it writes to the outbox has no causation unless it says so.
   */
  batch?: boolean;
}

export interface EventHandlerMetadata extends EventHandlerOptions {
  type: string;
}

/**
 * Marks a provider method as the handler of an event type. It runs inside the transaction that
 * records the event in the inbox: write through `tx` and the effect happens exactly once, even when
 * JetStream delivers the event again.
 *
 *   @OnEvent(EventTypes.TenantCreated, { data: TenantCreatedData })
 *   async provision(event: EventEnvelope<TenantCreatedData>, tx: EntityManager) { … }
 */
export const OnEvent = (type: string, options: EventHandlerOptions = {}) => {
  const data = options.data ?? eventPayloadClass(type);
  return SetMetadata<string, EventHandlerMetadata>(EVENT_HANDLER_METADATA, { type, ...options, ...(data ? { data } : {}) });
};

export type EventHandlerFn = (event: EventEnvelope, tx: EntityManager) => Promise<void>;
export type BatchEventHandlerFn = (events: EventEnvelope[], tx: EntityManager) => Promise<void>;

export interface RegisteredEventHandler extends EventHandlerMetadata {
  name: string;
  /** A `batch` handler is called with an array of events. */
  handle: EventHandlerFn | BatchEventHandlerFn;
}
