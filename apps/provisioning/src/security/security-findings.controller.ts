import { Controller, Inject } from '@nestjs/common';
import { RpcSubjects, type SecurityFindingDto, type SecurityFindingsResponse } from '@saas/contracts';
import { RpcHandler } from '@saas/messaging';
import { SERVICE_CONFIG } from '@saas/service-kit';
import { DEV_SECRET, type ProvisioningConfig } from '../config.js';

/** A tag is pinned when it names a digest or a full version (`odoo:17` can move under you; `odoo:17.0.20241120` or `@sha256:…` cannot). */
export function isPinnedImage(image: string): boolean {
  if (image.includes('@sha256:')) return true;
  const tag = image.slice(image.lastIndexOf('/') + 1).split(':')[1];
  return tag !== undefined && tag !== 'latest' && /^v?\d+\.\d+(\.\d+)?([.-][\w.]+)?$/.test(tag);
}

/** The provisioning service's part of `POST security/scan`. */
@Controller()
export class SecurityFindingsController {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: ProvisioningConfig) {}

  @RpcHandler(RpcSubjects.securityFindings('provisioning'))
  findings(): SecurityFindingsResponse {
    const production = this.config.NODE_ENV === 'production';
    const findings: SecurityFindingDto[] = [];
    if (this.config.PROVISIONING_SECRET_KEYS === DEV_SECRET) {
      findings.push({
        code: 'DEV_SECRET_IN_USE',
        severity: production ? 'critical' : 'low',
        title: 'Tenant database passwords are encrypted with the development key',
        explanation: 'PROVISIONING_SECRET_KEYS is the built-in development value, so anyone with the source can decrypt every tenant database password stored by provisioning.',
        fix: 'Set PROVISIONING_SECRET_KEYS to a random key of 32+ characters (the old one after it, comma-separated, while rotating).',
        source: 'provisioning',
        resource: null,
      });
    }
    if (this.config.PROVISIONING_RUNTIME === 'kubernetes' && !isPinnedImage(this.config.KUBE_TENANT_IMAGE)) {
      findings.push({
        code: 'TENANT_IMAGE_NOT_PINNED',
        severity: 'medium',
        title: `Tenants run the image ${this.config.KUBE_TENANT_IMAGE}, which is not pinned`,
        explanation: 'A moving tag makes every restart a silent upgrade: tenants end up on different versions and a bad push reaches all of them.',
        fix: 'Set KUBE_TENANT_IMAGE to a full version tag or an @sha256 digest, and change it deliberately.',
        source: 'provisioning',
        resource: null,
      });
    }
    return { findings };
  }
}
