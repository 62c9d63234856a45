import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { InstanceLogsRequest, InstanceMetricsRequest, InstanceRefRequest, InstanceRouteRequest, InstancesStatsRequest, ProvisioningRpc, type InstancesStats } from '@saas/contracts';
import { RpcHandler } from '@saas/messaging';
import { InstancesService } from './instances.service.js';

/** The tenant's instance as the API shows it: details, metrics and logs, and the operators' totals. */
@Controller()
export class InstancesController {
  constructor(private readonly instances: InstancesService) {}

  @RpcHandler(ProvisioningRpc.instancesStats)
  stats(@Payload() _req: InstancesStatsRequest): Promise<InstancesStats> {
    return this.instances.stats();
  }

  @RpcHandler(ProvisioningRpc.instanceGet)
  get(@Payload() req: InstanceRefRequest) {
    return this.instances.get(req.tenant_id);
  }

  @RpcHandler(ProvisioningRpc.instanceMetrics)
  metrics(@Payload() req: InstanceMetricsRequest) {
    return this.instances.metrics(req);
  }

  @RpcHandler(ProvisioningRpc.instanceLogs)
  logs(@Payload() req: InstanceLogsRequest) {
    return this.instances.logs(req);
  }

  @RpcHandler(ProvisioningRpc.instanceRoute)
  route(@Payload() req: InstanceRouteRequest) {
    return this.instances.route(req.slug);
  }
}
