import { AsyncLocalStorage } from 'node:async_hooks';
import type { Actor } from '@saas/contracts';

/**
 * What travels with one unit of work (an HTTP request, an RPC, an event being handled): the
 * correlation id that ties logs, events and problems together, and who is acting.
 */
export interface WorkContext {
  correlationId: string;
  /** Id of the message being handled: becomes `causation_id` of the events it emits. */
  causationId?: string | null;
  actor?: Actor | null;
}

const storage = new AsyncLocalStorage<WorkContext>();

export const workContext = {
  run<T>(ctx: WorkContext, fn: () => T): T {
    return storage.run(ctx, fn);
  },
  get(): WorkContext | undefined {
    return storage.getStore();
  },
  correlationId(): string | null {
    return storage.getStore()?.correlationId ?? null;
  },
};

/** Header names used on HTTP and NATS alike. */
export const CORRELATION_HEADER = 'x-correlation-id';
export const REQUEST_ID_HEADER = 'x-request-id';
