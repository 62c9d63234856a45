import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TenantAccessRequest, TenantsRpc, type TenantAccess as TenantAccessView } from '@saas/contracts';
import { RpcHandler } from '@saas/messaging';
import { TenantAccess } from './tenant-access.js';

@Controller()
export class AccessController {
  constructor(private readonly access: TenantAccess) {}

  @RpcHandler(TenantsRpc.access)
  check(@Payload() req: TenantAccessRequest): Promise<TenantAccessView> {
    return this.access.check(req.caller, req.id, req.role);
  }
}
