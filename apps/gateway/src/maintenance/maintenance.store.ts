import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config.js';
import { GATEWAY_CONFIG, GATEWAY_LOGGER, NATS_CONNECTION } from '../tokens.js';

/** The platform's maintenance switch, as every gateway replica reads it. */
export interface MaintenanceState {
  enabled: boolean;
  message: string | null;
  started_at: string | null;
  /** When it ends by itself (null: until an admin switches it off). */
  ends_at: string | null;
  updated_by: string | null;
  updated_at: string | null;
}

export const MAINTENANCE_OFF: MaintenanceState = Object.freeze({ enabled: false, message: null, started_at: null, ends_at: null, updated_by: null, updated_at: null });

const KEY = 'state';

/** `<prefix>gateway_maintenance`, as a KV bucket name. */
export function maintenanceBucketName(subjectPrefix: string): string {
  return `${subjectPrefix.replace(/[^A-Za-z0-9_-]/g, '_')}gateway_maintenance`;
}

/**
 * The maintenance switch in a JetStream KV bucket (persisted: it survives a gateway restart, and the
 * gateway still owns no tables). The replica that carries a change applies it at once; the others
 * read it every `pollMs` (a plain `get`, which needs no consumer to survive a NATS restart). While
 * NATS cannot be read, a replica keeps the last state it saw.
 */
@Injectable()
export class MaintenanceStore implements OnModuleInit, OnApplicationShutdown {
  private kv?: Promise<KV>;
  private state: MaintenanceState = MAINTENANCE_OFF;
  private timer?: NodeJS.Timeout;
  readonly pollMs = 1_000;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(GATEWAY_CONFIG) private readonly config: Pick<GatewayConfig, 'SUBJECT_PREFIX'>,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.pollMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** The switch now; one whose end time has passed reads as off. */
  current(now = Date.now()): MaintenanceState {
    const s = this.state;
    if (s.enabled && s.ends_at && Date.parse(s.ends_at) <= now) return MAINTENANCE_OFF;
    return s;
  }

  async set(next: MaintenanceState): Promise<MaintenanceState> {
    const kv = await this.open();
    await kv.put(KEY, JSON.stringify(next));
    this.state = next;
    return next;
  }

  private open(): Promise<KV> {
    this.kv ??= new Kvm(this.nc).create(maintenanceBucketName(this.config.SUBJECT_PREFIX), { history: 5 }).catch((err: unknown) => {
      this.kv = undefined;
      throw err;
    });
    return this.kv;
  }

  private async refresh(): Promise<void> {
    try {
      const entry = await (await this.open()).get(KEY);
      this.state = entry && entry.operation === 'PUT' ? { ...MAINTENANCE_OFF, ...entry.json<MaintenanceState>() } : MAINTENANCE_OFF;
    } catch (err) {
      this.logger.debug({ err }, 'could not read the maintenance switch; keeping the last state seen');
    }
  }
}
