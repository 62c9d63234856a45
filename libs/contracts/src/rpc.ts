import type { Actor } from './envelope.js';

/** Health answer of every service's `rpc.<service>.health`. */
export interface ServiceHealth {
  service: string;
  status: 'ok' | 'degraded' | 'down';
  version: string;
  uptime_s: number;
  instance: string;
  checks: Record<string, { status: 'ok' | 'down'; latency_ms?: number; detail?: string }>;
  consumers?: Array<{ name: string; pending: number; ack_pending: number; redelivered: number }>;
  dead_letters?: number;
}

/**
 * Who is calling, forwarded by the gateway with every RPC so services can authorize and audit.
 * (Filled in by the identity issue; `null` for anonymous calls.)
 */
export interface CallerContext {
  actor: Actor;
  roles: string[];
  tenant_id?: string | null;
}

/** Request of `rpc.<service>.dead-letters.list` (answered by the service kit with a ListResult<DeadLetterView>). */
export interface DeadLetterListRequest {
  status?: 'parked' | 'replayed';
  page?: number;
  page_size?: number;
}

/** One parked (or replayed) event of a service's durable consumer, as operators see it. */
export interface DeadLetterView {
  id: string;
  service: string;
  consumer: string;
  subject: string;
  event_id: string | null;
  type: string | null;
  error: string;
  attempts: number;
  status: 'parked' | 'replayed';
  parked_at: string;
  replayed_at: string | null;
  /** The message as received (raw text: it may not even be valid JSON). */
  payload: string;
}

/** Answer of `rpc.<service>.dead-letters.replay`. */
export interface DeadLetterReplayResult {
  id: string;
  status: 'replayed' | 'parked';
  error?: string;
}
