import { SUBDOMAIN_PATTERN } from '@saas/contracts';
import { TenantsException } from './tenants.exception.js';

/** Names that would shadow the platform's own hosts or confuse users. */
export const RESERVED_SUBDOMAINS: ReadonlySet<string> = new Set([
  'www', 'api', 'admin', 'app', 'apps', 'auth', 'login', 'logout', 'signup', 'register', 'account', 'accounts',
  'dashboard', 'console', 'portal', 'docs', 'doc', 'help', 'support', 'status', 'health', 'metrics', 'mail', 'email',
  'smtp', 'imap', 'pop', 'ftp', 'ssh', 'vpn', 'ns', 'ns1', 'ns2', 'dns', 'mx', 'cdn', 'static', 'assets', 'media',
  'files', 'blog', 'billing', 'payments', 'pay', 'webhooks', 'hooks', 'internal', 'system', 'root', 'localhost',
  'platform', 'gateway', 'identity', 'tenants', 'provisioning', 'backups', 'security', 'test', 'staging', 'dev',
]);

export function validateSubdomain(subdomain: string, extraReserved: ReadonlySet<string> = new Set()): string {
  const value = subdomain.trim();
  if (value !== value.toLowerCase()) throw TenantsException.invalidSubdomain('The subdomain must be lower case.');
  if (!SUBDOMAIN_PATTERN.test(value)) {
    throw TenantsException.invalidSubdomain(
      'The subdomain must be 3–63 characters of lower-case letters, digits and inner hyphens (a DNS label).',
    );
  }
  if (value.includes('--')) throw TenantsException.invalidSubdomain('The subdomain may not contain consecutive hyphens.');
  if (RESERVED_SUBDOMAINS.has(value) || extraReserved.has(value)) {
    throw TenantsException.invalidSubdomain(`The subdomain "${value}" is reserved.`);
  }
  return value;
}

/** A DNS label from a display name: "Acme Corporation" → "acme-corporation". */
export function subdomainFromName(name: string): string {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/g, '');
  return base.length >= 3 ? base : `tenant-${base || 'x'}`.slice(0, 50);
}
