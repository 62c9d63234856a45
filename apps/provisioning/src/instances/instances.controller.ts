import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { InstanceLogsRequest, InstanceMetricsRequest, InstanceRefRequest, InstanceRouteRequest, ProvisioningRpc } from '@saas/contracts';
import { DomainException } from '@saas/errors';
import type { TenantRuntime } from '../runtime/tenant-runtime.js';
import { TENANT_RUNTIME } from '../jobs/tokens.js';

const HOUR_MS = 3_600_000;

function date(value: string | undefined, fallback: Date): Date {
  return value ? new Date(value) : fallback;
}

/**
 * The tenant's instance as the API shows it: details, metrics and logs. Callers are the gateway
 * (after the tenants service authorized the user for the tenant) and other services.
 */
@Controller()
export class InstancesController {
  constructor(@Inject(TENANT_RUNTIME) private readonly runtime: TenantRuntime) {}

  @MessagePattern(ProvisioningRpc.instanceGet)
  async get(@Payload() req: InstanceRefRequest) {
    const info = await this.runtime.getInstance(req.tenant_id);
    if (!info) throw new DomainException('INSTANCE_NOT_FOUND', 'This tenant has no instance (yet, or any more).', { status: 404 });
    return info;
  }

  @MessagePattern(ProvisioningRpc.instanceMetrics)
  async metrics(@Payload() req: InstanceMetricsRequest) {
    const to = date(req.to, new Date());
    const from = date(req.from, new Date(to.getTime() - HOUR_MS));
    if (from >= to) throw DomainException.validation([{ field: 'from', message: 'from must be before to' }]);
    if (!(await this.runtime.getInstance(req.tenant_id))) throw new DomainException('INSTANCE_NOT_FOUND', 'This tenant has no instance.', { status: 404 });
    return this.runtime.metrics(req.tenant_id, { from, to, step_s: req.step_s ?? 60 });
  }

  @MessagePattern(ProvisioningRpc.instanceLogs)
  async logs(@Payload() req: InstanceLogsRequest) {
    if (!(await this.runtime.getInstance(req.tenant_id))) throw new DomainException('INSTANCE_NOT_FOUND', 'This tenant has no instance.', { status: 404 });
    return this.runtime.logs(req.tenant_id, {
      page: req.page,
      page_size: req.page_size,
      ...(req.level ? { level: req.level } : {}),
      ...(req.from ? { from: new Date(req.from) } : {}),
      ...(req.to ? { to: new Date(req.to) } : {}),
      ...(req.search ? { search: req.search } : {}),
    });
  }

  @MessagePattern(ProvisioningRpc.instanceRoute)
  async route(@Payload() req: InstanceRouteRequest) {
    return { upstream: await this.runtime.resolveUpstream(req.slug) };
  }
}
