import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EventTypes, type TenantStatus } from '@saas/contracts';
import { EventOutbox } from '@saas/messaging';
import { Clock, SERVICE_CONFIG } from '@saas/service-kit';
import type { TenantsConfig } from '../config.js';
import { Tenant } from '../tenants/tenant.entity.js';
import { accessUrl, toEventData } from '../tenants/tenant.view.js';
import { assertTransition } from './tenant-state-machine.js';
import { TenantTransition } from './tenant-transition.entity.js';

/** The event each state announces beyond `tenant.status_changed` (API.md § Events and webhooks). */
const ARRIVAL_EVENTS: Partial<Record<TenantStatus, string>> = {
  active: EventTypes.TenantReady,
  suspended: EventTypes.TenantSuspended,
  stopped: EventTypes.TenantStopped,
  deleted: EventTypes.TenantDeleted,
};

export interface TransitionOptions {
  reason?: string | null;
  operationId?: string | null;
  actorId?: string | null;
}

/**
 * The only way a tenant changes state: checks the state machine, records the transition in the
 * history and emits its events, all in the caller's transaction.
 */
@Injectable()
export class TenantLifecycle {
  constructor(
    private readonly outbox: EventOutbox,
    private readonly clock: Clock,
    @Inject(SERVICE_CONFIG) private readonly config: TenantsConfig,
  ) {}

  async transition(tx: EntityManager, tenant: Tenant, to: TenantStatus, options: TransitionOptions = {}): Promise<Tenant> {
    const from = tenant.status;
    if (from === to) return tenant;
    assertTransition(from, to);
    tenant.status = to;
    tenant.statusReason = to === 'error' || to === 'suspended' ? (options.reason ?? null) : null;
    if (to === 'active') {
      tenant.progress = 100;
      // The runtime's own URL (from provisioning.succeeded) wins over the template.
      tenant.accessUrl ??= accessUrl(this.config.TENANT_URL_TEMPLATE, tenant.slug);
    }
    if (to === 'deleted') tenant.deletedAt = this.clock.now();
    await tx.getRepository(Tenant).save(tenant);
    await tx.getRepository(TenantTransition).insert({
      tenantId: tenant.id,
      fromStatus: from,
      toStatus: to,
      reason: options.reason ?? null,
      actorId: options.actorId ?? null,
      operationId: options.operationId ?? null,
    });
    const data = toEventData(tenant, options.operationId ?? undefined);
    await this.outbox.add(tx, {
      type: EventTypes.TenantStatusChanged,
      tenantId: tenant.id,
      data: { ...data, from, to, reason: options.reason ?? null },
    });
    const arrival = ARRIVAL_EVENTS[to];
    if (arrival === EventTypes.TenantReady && from !== 'provisioning' && from !== 'pending') {
      // Coming back from stopped/suspended/error is a start or resume, not a first "ready".
      await this.outbox.add(tx, {
        type: from === 'suspended' ? EventTypes.TenantResumed : EventTypes.TenantStarted,
        tenantId: tenant.id,
        data: { ...data, access_url: tenant.accessUrl, ...(options.reason ? { reason: options.reason } : {}) },
      });
    } else if (arrival) {
      await this.outbox.add(tx, {
        type: arrival,
        tenantId: tenant.id,
        data: { ...data, ...(to === 'active' ? { access_url: tenant.accessUrl } : {}), ...(options.reason ? { reason: options.reason } : {}) },
      });
    }
    return tenant;
  }
}
