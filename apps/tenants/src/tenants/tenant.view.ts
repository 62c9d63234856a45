import type { TenantEventData, TenantView } from '@saas/contracts';
import type { Tenant } from './tenant.entity.js';

export function accessUrl(template: string, slug: string): string {
  return template.replace('{slug}', slug);
}

/** The tenant as clients see it: the admin password is never returned, only whether it is set. */
export function toTenantView(t: Tenant, urlTemplate: string, passwordSet = false): TenantView {
  return {
    id: t.id,
    name: t.name,
    slug: t.slug,
    subdomain: t.slug,
    plan: t.plan,
    tier: t.plan,
    database_strategy: t.databaseStrategy,
    domain: t.domain,
    contact_email: t.contactEmail,
    billing_address: t.billingAddress,
    settings: t.settings,
    metadata: t.metadata,
    custom_plugin_repo: t.customPluginRepo,
    service_ids: t.serviceIds ?? {},
    render_service_ids: t.serviceIds ?? {},
    admin_email: t.adminEmail,
    admin_password_set: passwordSet,
    owner_id: t.ownerId,
    status: t.status,
    is_active: t.status === 'active',
    status_reason: t.statusReason,
    access_url: t.status === 'deleted' ? null : (t.accessUrl ?? accessUrl(urlTemplate, t.slug)),
    status_url: `/api/v1/tenants/${t.id}/status`,
    last_backup_at: t.lastBackupAt?.toISOString() ?? null,
    next_backup_at: t.status === 'deleted' ? null : (t.nextBackupAt?.toISOString() ?? null),
    created_at: t.createdAt.toISOString(),
    updated_at: t.updatedAt.toISOString(),
  };
}

/** tenant.* event data (public contract): no secrets, ever. */
export function toEventData(t: Tenant, operationId?: string): TenantEventData {
  return {
    tenant_id: t.id,
    name: t.name,
    slug: t.slug,
    plan: t.plan,
    database_strategy: t.databaseStrategy,
    status: t.status,
    owner_id: t.ownerId,
    domain: t.domain,
    custom_plugin_repo: t.customPluginRepo,
    admin_email: t.adminEmail,
    contact_email: t.contactEmail,
    billing_address: t.billingAddress,
    ...(operationId ? { operation_id: operationId } : {}),
  };
}
