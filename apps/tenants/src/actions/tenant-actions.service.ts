import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  BackupsRpc,
  callerUserId,
  isAdmin,
  type AdminTenantAction,
  type CallerDto,
  type TenantStatus,
  type TenantActionAccepted,
} from '@saas/contracts';
import { RpcClient } from '@saas/messaging';
import { TenantAccess } from '../access/tenant-access.js';
import { TenantLifecycle } from '../lifecycle/tenant-lifecycle.js';
import { InvalidTenantTransition } from '../lifecycle/lifecycle.exception.js';
import { TenantOperation, type OperationKind } from '../operations/tenant-operation.entity.js';
import { TenantOperations } from '../operations/tenant-operations.js';
import { Tenant } from '../tenants/tenant.entity.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { ActionsException } from './actions.exception.js';

/** Which state each action starts from, and the operation it becomes. */
const ACTIONS: Record<Exclude<AdminTenantAction, 'backup' | 'retry' | 'force_delete'>, { from: TenantStatus[]; kind: OperationKind; to?: TenantStatus }> = {
  restart: { from: ['active'], kind: 'restart' },
  stop: { from: ['active'], kind: 'stop', to: 'stopped' },
  start: { from: ['stopped', 'error'], kind: 'start', to: 'active' },
  suspend: { from: ['active', 'stopped'], kind: 'suspend', to: 'suspended' },
  resume: { from: ['suspended'], kind: 'resume', to: 'active' },
  migrate: { from: ['active'], kind: 'migrate' },
};

/** What an action answers (`TenantActionAccepted` of the contract). */
export type ActionAccepted = TenantActionAccepted;

/**
 * Tenant actions: admins may do all of them (with a reason, kept in the operation and the events);
 * a tenant's owner or admin may restart, stop and start its instance.
 */
@Injectable()
export class TenantActionsService {
  constructor(
    private readonly ds: DataSource,
    private readonly access: TenantAccess,
    private readonly operations: TenantOperations,
    private readonly tenants: TenantsService,
    private readonly lifecycle: TenantLifecycle,
    private readonly rpc: RpcClient,
  ) {}

  async perform(caller: CallerDto, tenantId: string, action: AdminTenantAction, reason?: string): Promise<ActionAccepted> {
    if (action === 'backup') {
      // Backups are the backups service's: it answers this, or the caller gets its honest 503.
      const { tenant } = await this.access.authorize(this.ds.manager, caller, tenantId, 'admin');
      const accepted = await this.rpc.call(BackupsRpc.create, { caller, tenant_id: tenantId, type: 'manual', reason: reason ?? null });
      return {
        tenant: this.tenants.view(tenant, false),
        operation: { id: accepted.backup.id, kind: 'backup', status: accepted.backup.status },
        status_url: accepted.status_url,
      };
    }
    if (action === 'force_delete') return this.forceDelete(caller, tenantId, reason);
    return this.ds.transaction(async (tx) => {
      const { tenant } = await this.access.authorize(tx, caller, tenantId, 'admin', true);
      let kind: OperationKind;
      if (action === 'retry') {
        if (tenant.status !== 'error') throw new InvalidTenantTransition(tenant.status, 'provisioning', `Only a tenant in error can be retried (it is ${tenant.status}).`);
        const failed = await tx.getRepository(TenantOperation).findOne({ where: { tenantId, status: 'failed' }, order: { createdAt: 'DESC' } });
        // A deletion that failed (its final backup, say) is retried as a deletion, final backup included.
        kind = failed?.kind ?? 'provision';
      } else {
        const rule = ACTIONS[action];
        if (!rule.from.includes(tenant.status)) {
          throw new InvalidTenantTransition(tenant.status, rule.to ?? tenant.status, `Cannot ${action} a tenant that is ${tenant.status}.`);
        }
        kind = rule.kind;
      }
      const op = await this.operations.request(tx, tenant, {
        kind,
        reason: reason ?? null,
        requestedBy: callerUserId(caller),
        params: { action, retry: action === 'retry' },
      });
      if (kind === 'delete') await this.lifecycle.transition(tx, tenant, 'deleting', { operationId: op.id, reason: reason ?? null, actorId: callerUserId(caller) });
      await tx.getRepository(Tenant).save(tenant);
      return this.accepted(tenant, op);
    });
  }

  /**
   * Deletion without the final backup: a new `delete` operation (superseding whatever runs) whose
   * `tenant.deletion_requested` says `skip_final_backup`, so provisioning deprovisions at once and
   * the backups service takes nothing. Platform admins only, and only with a reason.
   */
  private async forceDelete(caller: CallerDto, tenantId: string, reason: string | undefined): Promise<ActionAccepted> {
    if (!isAdmin(caller)) throw ActionsException.forceDeleteAdminsOnly();
    if (!reason?.trim()) throw ActionsException.forceDeleteNeedsReason();
    return this.ds.transaction(async (tx) => {
      const { tenant } = await this.access.authorize(tx, caller, tenantId, 'admin', true);
      if (tenant.status === 'deleted') throw new InvalidTenantTransition(tenant.status, 'deleting', 'The tenant is already deleted.');
      const op = await this.operations.request(tx, tenant, {
        kind: 'delete',
        reason,
        requestedBy: callerUserId(caller),
        params: { action: 'force_delete', skip_final_backup: true },
        supersede: true,
      });
      await this.lifecycle.transition(tx, tenant, 'deleting', { operationId: op.id, reason, actorId: callerUserId(caller) });
      await tx.getRepository(Tenant).save(tenant);
      return this.accepted(tenant, op);
    });
  }

  private accepted(tenant: Tenant, op: TenantOperation): ActionAccepted {
    return {
      tenant: this.tenants.view(tenant, false),
      operation: { id: op.id, kind: op.kind, status: op.status },
      status_url: `/api/v1/tenants/${tenant.id}/status`,
    };
  }
}
