import { randomUUID } from 'node:crypto';

/** Who caused an event: a user, an API key, a service acting on its own, or the platform itself. */
export interface Actor {
  type: 'user' | 'api_key' | 'service' | 'system';
  id: string | null;
  ip?: string | null;
  user_agent?: string | null;
}

/**
 * The one envelope of every event on the bus (ARCHITECTURE.md § Messaging). Versioned per type:
 * a breaking change of `data` is a new `version`, and both are published while subscribers move.
 */
export interface EventEnvelope<TData = Record<string, unknown>> {
  id: string;
  type: string;
  version: number;
  occurred_at: string;
  tenant_id: string | null;
  actor: Actor;
  correlation_id: string | null;
  causation_id: string | null;
  data: TData;
}

export const SYSTEM_ACTOR: Actor = Object.freeze({ type: 'system', id: null }) as Actor;

export interface NewEvent<TData> {
  type: string;
  data: TData;
  version?: number;
  tenantId?: string | null;
  actor?: Actor;
  correlationId?: string | null;
  /** The id of the event (or request) that caused this one. */
  causationId?: string | null;
  occurredAt?: Date;
}

export function createEnvelope<TData>(event: NewEvent<TData>): EventEnvelope<TData> {
  return {
    id: randomUUID(),
    type: event.type,
    version: event.version ?? 1,
    occurred_at: (event.occurredAt ?? new Date()).toISOString(),
    tenant_id: event.tenantId ?? null,
    actor: event.actor ?? SYSTEM_ACTOR,
    correlation_id: event.correlationId ?? null,
    causation_id: event.causationId ?? null,
    data: event.data,
  };
}
