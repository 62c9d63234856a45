import { Controller, Module } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { InstancePowerRequest, InstanceRefRequest, ProvisioningRpc, type InstancePowerResult, type TenantDataLocation } from '@saas/contracts';
import { DomainException } from '@saas/errors';

/**
 * Test double of the provisioning service's internal subjects the backups service calls, answering
 * over real NATS: tenants' data locations the test registers, and the instance's power (recorded, so
 * a test sees the restore stopped and started it; `failStarts` makes that many next starts of a tenant fail).
 */
export class FakeProvisioningState {
  readonly locations = new Map<string, TenantDataLocation>();
  readonly power: Array<{ tenant_id: string; action: 'stop' | 'start' }> = [];
  readonly instanceStatus = new Map<string, string>();
  readonly failStarts = new Map<string, number>();
}

export const fakeProvisioning = new FakeProvisioningState();

@Controller()
class FakeProvisioningController {
  @MessagePattern(ProvisioningRpc.internalTenantData)
  location(@Payload() req: InstanceRefRequest): TenantDataLocation {
    const found = fakeProvisioning.locations.get(req.tenant_id);
    if (!found) throw new DomainException('INSTANCE_NOT_FOUND', 'This tenant has no database or instance.', { status: 404 });
    return found;
  }

  @MessagePattern(ProvisioningRpc.internalInstancePower)
  power(@Payload() req: InstancePowerRequest): InstancePowerResult {
    fakeProvisioning.power.push({ tenant_id: req.tenant_id, action: req.action });
    const failing = fakeProvisioning.failStarts.get(req.tenant_id) ?? 0;
    if (req.action === 'start' && failing > 0) {
      fakeProvisioning.failStarts.set(req.tenant_id, failing - 1);
      fakeProvisioning.instanceStatus.set(req.tenant_id, 'failed');
      return { tenant_id: req.tenant_id, status: 'failed' };
    }
    const status = req.action === 'stop' ? 'stopped' : 'running';
    fakeProvisioning.instanceStatus.set(req.tenant_id, status);
    return { tenant_id: req.tenant_id, status };
  }
}

@Module({ controllers: [FakeProvisioningController] })
export class FakeProvisioningModule {}
