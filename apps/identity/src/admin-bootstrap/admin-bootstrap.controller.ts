import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { BootstrapAdminRequest, IdentityRpc, type BootstrapAdminResult } from '@saas/contracts';
import { RpcHandler } from '@saas/messaging';
import { AdminBootstrapService } from './admin-bootstrap.service.js';

@Controller()
export class AdminBootstrapController {
  constructor(private readonly admins: AdminBootstrapService) {}

  @RpcHandler(IdentityRpc.bootstrapAdmin)
  bootstrap(@Payload() request: BootstrapAdminRequest): Promise<BootstrapAdminResult> {
    return this.admins.ensureAdmin(request);
  }
}
