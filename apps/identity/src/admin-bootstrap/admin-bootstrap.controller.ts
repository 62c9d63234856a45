import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { IdentityRpc } from '@saas/contracts';
import { BootstrapAdminRequest, type BootstrapAdminResult } from './admin-bootstrap.dto.js';
import { AdminBootstrapService } from './admin-bootstrap.service.js';

@Controller()
export class AdminBootstrapController {
  constructor(private readonly admins: AdminBootstrapService) {}

  @MessagePattern(IdentityRpc.bootstrapAdmin)
  bootstrap(@Payload() request: BootstrapAdminRequest): Promise<BootstrapAdminResult> {
    return this.admins.ensureAdmin(request);
  }
}
