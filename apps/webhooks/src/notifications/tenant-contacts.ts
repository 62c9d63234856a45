import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  EventTypes,
  IdentityRpc,
  TenantsRpc,
  type CallerDto,
  type EventEnvelope,
  type TenantView } from '@saas/contracts';
import { DomainException } from '@saas/errors';
import { ANY_EVENT, OnEvent, RpcClient } from '@saas/messaging';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The webhooks service reading a tenant as the platform (only for a tenant its projection has not seen). */
export const WEBHOOKS_PLATFORM_CALLER: CallerDto = { actor: { type: 'service', id: 'webhooks' }, roles: ['admin'] };

export interface TenantOwnerAddress {
  to: string;
  tenantName: string;
  /** `owner` (the owner's account, from identity) or `contact` (the tenant's billing contact). */
  source: 'owner' | 'contact';
}

/**
 * Who owns a tenant, for the mails about its endpoints. The owner's id, the tenant's name and its
 * billing contact come from the tenant events (`TenantEventData`: every `tenant.*` snapshot carries
 * them), kept in `webhook_tenant_contacts`; the owner's address from identity
 * (`rpc.identity.users.profiles`), asked when a mail is due, so it is the address the owner has now.
 * A tenant whose events this service never saw (it existed before the projection) is read once
 * through `rpc.tenants.get`.
 */
@Injectable()
export class TenantContacts {
  constructor(private readonly rpc: RpcClient) {}

  /** Keeps the projection: any tenant event with an owner in its data; `tenant.deleted` drops the row. */
  @OnEvent(ANY_EVENT)
  async project(event: EventEnvelope, tx: EntityManager): Promise<void> {
    if (!event.type.startsWith('tenant.')) return;
    const d = (event.data ?? {}) as Record<string, unknown>;
    const tenantId = typeof d.tenant_id === 'string' && UUID.test(d.tenant_id) ? d.tenant_id : null;
    if (!tenantId) return;
    const at = new Date(event.occurred_at);
    if (event.type === EventTypes.TenantDeleted) {
      await tx.query(`DELETE FROM webhook_tenant_contacts WHERE tenant_id = $1 AND as_of <= $2`, [tenantId, at]);
      return;
    }
    // Member events carry a user, not the tenant's snapshot.
    if (typeof d.owner_id !== 'string' || !UUID.test(d.owner_id)) return;
    const hasContact = 'contact_email' in d;
    const contact = typeof d.contact_email === 'string' && d.contact_email ? d.contact_email : null;
    await tx.query(
      `INSERT INTO webhook_tenant_contacts (tenant_id, owner_id, name, contact_email, as_of) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant_id) DO UPDATE SET owner_id = EXCLUDED.owner_id,
              name = CASE WHEN $6 THEN EXCLUDED.name ELSE webhook_tenant_contacts.name END,
              contact_email = CASE WHEN $7 THEN EXCLUDED.contact_email ELSE webhook_tenant_contacts.contact_email END,
              as_of = EXCLUDED.as_of
        WHERE webhook_tenant_contacts.as_of <= EXCLUDED.as_of`,
      [tenantId, d.owner_id, typeof d.name === 'string' ? d.name : '', contact, at, typeof d.name === 'string', hasContact],
    );
  }

  /**
   * Where to write to a tenant's owner: the owner's account address while identity has them
   * active, else the tenant's billing contact; null when there is neither (or no such tenant).
   * Failures to ask (timeouts, no responders) are thrown: the caller's event is retried.
   */
  async ownerAddress(tx: EntityManager, tenantId: string): Promise<TenantOwnerAddress | null> {
    const rows: Array<{ owner_id: string; name: string; contact_email: string | null }> = await tx.query(
      `SELECT owner_id, name, contact_email FROM webhook_tenant_contacts WHERE tenant_id = $1`,
      [tenantId],
    );
    let contact = rows[0] ?? null;
    if (!contact) {
      const tenant = await this.readTenant(tenantId);
      if (!tenant) return null;
      contact = { owner_id: tenant.owner_id, name: tenant.name, contact_email: tenant.contact_email };
      // Events written since win over this read (DO NOTHING), and the next tenant event refreshes it.
      await tx.query(
        `INSERT INTO webhook_tenant_contacts (tenant_id, owner_id, name, contact_email, as_of) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id) DO NOTHING`,
        [tenantId, contact.owner_id, contact.name, contact.contact_email, new Date(tenant.updated_at)],
      );
    }
    const { results } = await this.rpc.call(IdentityRpc.usersProfiles, { ids: [contact.owner_id] });
    const owner = results.find((u) => u.id === contact.owner_id);
    if (owner?.is_active && owner.email) return { to: owner.email, tenantName: contact.name, source: 'owner' };
    if (contact.contact_email) return { to: contact.contact_email, tenantName: contact.name, source: 'contact' };
    return null;
  }

  private async readTenant(tenantId: string): Promise<TenantView | null> {
    try {
      return await this.rpc.call(TenantsRpc.get, { caller: WEBHOOKS_PLATFORM_CALLER, id: tenantId });
    } catch (err) {
      if (err instanceof DomainException && err.status === 404) return null;
      throw err;
    }
  }
}
