import { describe, expect, it } from '@jest/globals';
import { EventCatalogue, eventContractViolation, eventPayloadClass } from './event-catalogue.js';
import { IdentityEventTypes } from './identity.js';
import { EventTypes } from './subjects.js';

const tenant = {
  tenant_id: '6f1c1e52-6f1f-4e0b-9a43-0b8c58f2a1a1',
  name: 'Acme',
  slug: 'acme',
  plan: 'basic',
  database_strategy: 'shared',
  status: 'pending',
  owner_id: '0b8c58f2-6f1f-4e0b-9a43-6f1c1e52a1a1',
  domain: null,
  custom_plugin_repo: null,
  admin_email: null,
};

describe('the event catalogue', () => {
  it('has a payload class for every event type of the contracts, and nothing else', () => {
    const types = new Set<string>([...Object.values(EventTypes), ...Object.values(IdentityEventTypes)]);
    expect([...types].filter((t) => !eventPayloadClass(t))).toEqual([]);
    expect(Object.keys(EventCatalogue).filter((t) => !types.has(t))).toEqual([]);
  });

  it('refuses data missing a required field or of the wrong type, and keeps unknown fields', () => {
    expect(eventContractViolation(EventTypes.TenantCreated, tenant)).toBeNull();
    expect(eventContractViolation(EventTypes.TenantCreated, { ...tenant, future_field: { x: 1 } })).toBeNull();
    const { slug: _slug, ...withoutSlug } = tenant;
    expect(eventContractViolation(EventTypes.TenantCreated, withoutSlug)).toMatch(/^tenant\.created data does not satisfy TenantEventData: slug/);
    expect(eventContractViolation(IdentityEventTypes.UserLoggedIn, { user_id: tenant.owner_id, session_id: 'not-a-uuid', method: 'email' })).toMatch(/session_id/);
    expect(eventContractViolation(EventTypes.TenantMemberAdded, { tenant_id: tenant.tenant_id, user_id: tenant.owner_id, role: 'overlord' })).toMatch(/role/);
  });

  it('refuses a type it does not have', () => {
    expect(eventContractViolation('tenant.exploded', tenant)).toMatch(/not an event type of the catalogue/);
  });
});
