import { createHash } from 'node:crypto';
import { Controller, Module } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { InstancePowerRequest, InstanceRefRequest, ProvisioningRpc, VolumeArchiveRequest, VolumeRestoreRequest, type InstancePowerResult, type TenantDataLocation, type VolumeArchiveResult } from '@saas/contracts';
import { RpcHandler } from '@saas/messaging';
import { DomainException } from '@saas/errors';

/**
 * Test double of the provisioning service's internal subjects the backups service calls, answering
 * over real NATS: tenants' data locations the test registers, and the instance's power (recorded, so
 * a test sees the restore stopped and started it; `failStarts` makes that many next starts of a tenant fail),
 * and a volume archive as the Kubernetes runtime's Job makes it: `volumes` holds what a tenant's
 * volume tars to (PUT to the presigned URL it is given), or the Error its Job fails with; a volume
 * restore downloads the presigned GET, checks its sha256 and makes it the volume's content.
 */
export class FakeProvisioningState {
  readonly locations = new Map<string, TenantDataLocation>();
  readonly power: Array<{ tenant_id: string; action: 'stop' | 'start' }> = [];
  readonly instanceStatus = new Map<string, string>();
  readonly failStarts = new Map<string, number>();
  readonly volumes = new Map<string, Buffer | Error>();
  readonly uploadUrls: string[] = [];
  readonly downloadUrls: string[] = [];
}

export const fakeProvisioning = new FakeProvisioningState();

@Controller()
class FakeProvisioningController {
  @RpcHandler(ProvisioningRpc.internalTenantData)
  location(@Payload() req: InstanceRefRequest): TenantDataLocation {
    const found = fakeProvisioning.locations.get(req.tenant_id);
    if (!found) throw new DomainException('INSTANCE_NOT_FOUND', 'This tenant has no database or instance.', { status: 404 });
    return found;
  }

  @RpcHandler(ProvisioningRpc.internalInstancePower)
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

  @RpcHandler(ProvisioningRpc.internalVolumeArchive)
  async archiveVolume(@Payload() req: VolumeArchiveRequest): Promise<VolumeArchiveResult> {
    fakeProvisioning.uploadUrls.push(req.upload_url);
    const volume = fakeProvisioning.volumes.get(req.tenant_id);
    if (!volume) throw new DomainException('VOLUME_NOT_ARCHIVABLE', 'This runtime keeps no volume of the tenant’s.', { status: 409 });
    if (volume instanceof Error) throw new DomainException('PROVISIONING_FAILED', volume.message, { status: 500 });
    const res = await fetch(req.upload_url, { method: 'PUT', body: volume });
    if (!res.ok) throw new DomainException('PROVISIONING_FAILED', `upload answered ${res.status}: ${await res.text()}`, { status: 500 });
    return { tenant_id: req.tenant_id, size_bytes: volume.length, sha256: createHash('sha256').update(volume).digest('hex') };
  }

  @RpcHandler(ProvisioningRpc.internalVolumeRestore)
  async restoreVolume(@Payload() req: VolumeRestoreRequest): Promise<{ tenant_id: string }> {
    fakeProvisioning.downloadUrls.push(req.download_url);
    const res = await fetch(req.download_url);
    if (!res.ok) throw new DomainException('PROVISIONING_FAILED', `download answered ${res.status}`, { status: 500 });
    const body = Buffer.from(await res.arrayBuffer());
    const sum = createHash('sha256').update(body).digest('hex');
    if (sum !== req.sha256) throw new DomainException('PROVISIONING_FAILED', `volume-restore: the archive downloaded has sha256 ${sum}, not ${req.sha256}`, { status: 500 });
    fakeProvisioning.volumes.set(req.tenant_id, body);
    return { tenant_id: req.tenant_id };
  }
}

@Module({ controllers: [FakeProvisioningController] })
export class FakeProvisioningModule {}
