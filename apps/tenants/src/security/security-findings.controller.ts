import { Controller, Inject } from '@nestjs/common';
import { RpcSubjects, type SecurityFindingDto, type SecurityFindingsResponse } from '@saas/contracts';
import { RpcHandler } from '@saas/messaging';
import { SERVICE_CONFIG } from '@saas/service-kit';
import { DEV_SECRET, type TenantsConfig } from '../config.js';

/** The tenants service's part of `POST security/scan`. */
@Controller()
export class SecurityFindingsController {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: TenantsConfig) {}

  @RpcHandler(RpcSubjects.securityFindings('tenants'))
  findings(): SecurityFindingsResponse {
    const findings: SecurityFindingDto[] = [];
    if (this.config.TENANTS_SECRET_KEYS.split(',').some((k) => k.trim() === DEV_SECRET)) {
      findings.push({
        code: 'DEV_SECRET_IN_USE',
        severity: this.config.NODE_ENV === 'production' ? 'critical' : 'low',
        title: "Tenants' instance admin passwords are encrypted with the development key",
        explanation: 'TENANTS_SECRET_KEYS holds the built-in development value, so anyone with the source can decrypt the admin password of every tenant instance.',
        fix: 'Put a random key of 32+ characters first in TENANTS_SECRET_KEYS (keep the old one after it until every password was re-saved).',
        source: 'tenants',
        resource: null,
      });
    }
    return { findings };
  }
}
