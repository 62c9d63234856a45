import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { InstanceLogsRequest, InstanceMetricsRequest, InstanceRouteRequest, InstancesStatsRequest, ProvisioningRpc, TenantInstanceRequest, type InstancesStats } from '@saas/contracts';
import { RpcHandler } from '@saas/messaging';
import { InstanceAccess } from './instance-access.js';
import { InstancesService } from './instances.service.js';

/** The tenant's instance as the API shows it: details, metrics and logs, and the operators' totals. */
@Controller()
export class InstancesController {
  constructor(
    private readonly instances: InstancesService,
    private readonly access: InstanceAccess,
  ) {}

  @RpcHandler(ProvisioningRpc.instancesStats)
  async stats(@Payload() req: InstancesStatsRequest): Promise<InstancesStats> {
    this.access.requireAdmin(req.caller);
    return this.instances.stats();
  }

  @RpcHandler(ProvisioningRpc.instanceGet)
  async get(@Payload() req: TenantInstanceRequest) {
    await this.access.authorize(req.caller, req.tenant_id);
    return this.instances.get(req.tenant_id);
  }

  @RpcHandler(ProvisioningRpc.instanceMetrics)
  async metrics(@Payload() req: InstanceMetricsRequest) {
    await this.access.authorize(req.caller, req.tenant_id);
    return this.instances.metrics(req);
  }

  @RpcHandler(ProvisioningRpc.instanceLogs)
  async logs(@Payload() req: InstanceLogsRequest) {
    await this.access.authorize(req.caller, req.tenant_id);
    return this.instances.logs(req);
  }

  @RpcHandler(ProvisioningRpc.instanceRoute)
  route(@Payload() req: InstanceRouteRequest) {
    return this.instances.route(req.slug);
  }
}
