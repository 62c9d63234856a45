import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { AdminTenantActionRequest, InstanceActionRequest, TenantsRpc } from '@saas/contracts';
import { RpcHandler } from '@saas/messaging';
import { TenantActionsService, type ActionAccepted } from './tenant-actions.service.js';

/** An owner's instance actions (restart, stop, start) and an admin's tenant actions, both operations. */
@Controller()
export class TenantActionsController {
  constructor(private readonly actions: TenantActionsService) {}

  @RpcHandler(TenantsRpc.instanceAction)
  instanceAction(@Payload() req: InstanceActionRequest): Promise<ActionAccepted> {
    return this.actions.perform(req.caller, req.id, req.action);
  }

  @RpcHandler(TenantsRpc.adminAction)
  adminAction(@Payload() req: AdminTenantActionRequest): Promise<ActionAccepted> {
    return this.actions.perform(req.caller, req.id, req.action, req.reason);
  }
}
