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
