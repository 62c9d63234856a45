import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { IdentityRpc, ListAuditLogsRequest, type AuditLogView, type ListResult } from '@saas/contracts';
import { RpcHandler } from '@saas/messaging';
import { AuditService } from './audit.service.js';

@Controller()
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @RpcHandler(IdentityRpc.auditLogsList)
  list(@Payload() req: ListAuditLogsRequest): Promise<ListResult<AuditLogView>> {
    return this.audit.list(req);
  }
}
