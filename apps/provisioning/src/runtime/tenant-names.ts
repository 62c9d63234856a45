import { createHash } from 'node:crypto';

/** A tenant slug: a DNS label (RFC 1123), so it is valid as a subdomain, a namespace suffix and, underscored, a Postgres identifier. */
export const TENANT_SLUG = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function assertTenantSlug(slug: string): void {
  if (typeof slug !== 'string' || !TENANT_SLUG.test(slug)) {
    throw new Error(`invalid tenant slug ${JSON.stringify(slug)}: must match ${TENANT_SLUG}`);
  }
}

/**
 * `<prefix><slug>` cut to `max` characters. Long names keep a hash of the full slug at the end,
 * so two long slugs that share a prefix never map to the same database, role or namespace.
 */
export function boundedName(prefix: string, slug: string, max: number): string {
  const full = `${prefix}${slug}`;
  if (full.length <= max) return full;
  const hash = createHash('sha256').update(slug).digest('hex').slice(0, 8);
  return `${full.slice(0, max - hash.length - 1)}${prefix.endsWith('_') ? '_' : '-'}${hash}`;
}

/** Database, role and schema name of a tenant (all the same): `tenant_<slug with underscores>`, ≤ 63 bytes. */
export function tenantDatabaseIdentifier(slug: string): string {
  assertTenantSlug(slug);
  return boundedName('tenant_', slug.replace(/-/g, '_'), 63);
}

/** Kubernetes namespace of a tenant: `tenant-<slug>`, ≤ 63 characters. */
export function tenantNamespace(slug: string): string {
  assertTenantSlug(slug);
  return boundedName('tenant-', slug, 63);
}
