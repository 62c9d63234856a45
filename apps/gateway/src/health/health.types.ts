import type { ServiceHealth, ServiceName } from '@saas/contracts';

export type OverallStatus = 'ok' | 'degraded' | 'down';

export interface ComponentHealth {
  status: 'ok' | 'down';
  latency_ms?: number;
  detail?: string;
}

/** A service that answered its health RPC, or why it did not. */
export type ServiceEntry =
  | ({ latency_ms: number } & Omit<ServiceHealth, 'service'>)
  | { status: 'down'; latency_ms: number; error: { code: string; detail: string } };

export interface ConsumerLag {
  service: ServiceName;
  name: string;
  pending: number;
  ack_pending: number;
  redelivered: number;
}

export interface JetStreamHealth extends ComponentHealth {
  stream?: { name: string; messages: number; bytes: number; first_seq: number; last_seq: number; consumer_count: number };
  consumers: ConsumerLag[];
}

/** The gateway's credential revocation readers (auth/revocations.ts). */
export interface RevocationsHealth extends ComponentHealth {
  readers: Array<{ filter: string; caught_up: boolean; next_seq: number | null; last_error: string | null }>;
}

/** `/ready`: 200 when `ok`, 503 otherwise. */
export interface Readiness {
  status: 'ok' | 'down';
  timestamp: string;
  nats: ComponentHealth;
  revocations: RevocationsHealth;
}

export interface DetailedHealth {
  status: OverallStatus;
  version: string;
  timestamp: string;
  duration_ms: number;
  gateway: { status: 'ok'; version: string; instance: string; uptime_s: number };
  services: Record<ServiceName, ServiceEntry>;
  postgres: ComponentHealth;
  nats: ComponentHealth;
  jetstream: JetStreamHealth;
  revocations: RevocationsHealth;
}
