import type { SecurityFindingDto } from '@saas/contracts';
import type { GatewayConfig } from '../config.js';

/** A limit this high is no limit at all. */
const UNLIMITED = 1_000_000;

/** What the gateway's own configuration gets wrong, for `POST security/scan`. */
export function gatewayFindings(config: Pick<GatewayConfig, 'NODE_ENV' | 'CORS_ORIGINS' | 'PUBLIC_URL' | 'RATE_LIMITS' | 'REDIS_URL' | 'TRUST_PROXY'>): SecurityFindingDto[] {
  const production = config.NODE_ENV === 'production';
  const findings: SecurityFindingDto[] = [];
  const finding = (f: Omit<SecurityFindingDto, 'source' | 'resource'>) => findings.push({ source: 'gateway', resource: null, ...f });
  if (config.CORS_ORIGINS.includes('*')) {
    finding({
      code: 'CORS_ANY_ORIGIN',
      severity: 'high',
      title: 'CORS allows every origin',
      explanation: 'CORS_ORIGINS contains "*", so any web page a signed-in operator visits can call the API from their browser.',
      fix: 'List the console origins explicitly in CORS_ORIGINS (comma-separated).',
    });
  }
  if (!config.PUBLIC_URL?.startsWith('https://')) {
    finding({
      code: 'HTTPS_OFF',
      severity: production ? 'high' : 'low',
      title: config.PUBLIC_URL ? 'The public URL is plain HTTP' : 'No public HTTPS URL is configured',
      explanation: 'Access tokens, API keys and passwords cross the network on every request; without TLS anyone on the path can read them.',
      fix: 'Terminate TLS in front of the gateway (load balancer or ingress), set PUBLIC_URL to its https:// address and TRUST_PROXY=true.',
    });
  }
  const open = Object.entries(config.RATE_LIMITS).filter(([tier, limit]) => tier !== 'infra' && limit >= UNLIMITED);
  if (open.length > 0) {
    finding({
      code: 'RATE_LIMITS_DISABLED',
      severity: open.some(([tier]) => tier === 'anonymous') ? 'high' : 'medium',
      title: `Rate limits are effectively off for ${open.map(([tier]) => tier).join(', ')}`,
      explanation: `A limit of ${UNLIMITED.toLocaleString('en')} or more requests an hour leaves the platform open to brute force and floods.`,
      fix: 'Set RATE_LIMITS to realistic hourly quotas per tier (the defaults: anonymous:100, standard:1000, …).',
    });
  }
  if (production && !config.REDIS_URL) {
    finding({
      code: 'RATE_LIMITS_PER_REPLICA',
      severity: 'low',
      title: 'Rate-limit counters are kept per gateway replica',
      explanation: 'Without REDIS_URL each replica counts on its own, so N replicas allow N times the quota.',
      fix: 'Set REDIS_URL so the replicas share their counters.',
    });
  }
  return findings;
}
