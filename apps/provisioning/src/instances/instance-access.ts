import { Injectable } from '@nestjs/common';
import { isAdmin, TenantsRpc, type CallerDto } from '@saas/contracts';
import { RpcClient } from '@saas/messaging';
import { InstancesException } from './instances.exception.js';

/**
 * Who may see a tenant's instance, decided here rather than trusted to the caller (issue 8: the
 * boundary was held by convention, every gateway route having to remember to ask first). The
 * tenants service owns membership, so it is asked with the caller the gateway forwarded: someone
 * else's tenant is a 404, as everywhere.
 */
@Injectable()
export class InstanceAccess {
  constructor(private readonly rpc: RpcClient) {}

  async authorize(caller: CallerDto, tenantId: string): Promise<void> {
    await this.rpc.call(TenantsRpc.access, { id: tenantId, role: 'member', caller });
  }

  /** The platform's totals are for operators only. */
  requireAdmin(caller: CallerDto | undefined): void {
    if (!isAdmin(caller)) throw InstancesException.adminsOnly();
  }
}
