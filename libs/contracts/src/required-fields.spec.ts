import { describe, expect, it } from '@jest/globals';
import { DomainException } from '@saas/errors';
import { ListInvoicesRequest, ListSubscriptionsRequest, CreateSubscriptionRequest } from './billing.js';
import { CreateProviderRequest, UpdateProviderRequest } from './integrations.js';
import { validatePayload } from './validation.js';
import { CreateWebhookEndpointRequest, UpdateWebhookEndpointRequest } from './webhooks.js';

const caller = { actor: { type: 'user', id: '6f1c1e52-6f1f-4e0b-9a43-0b8c58f2a1a1' }, roles: ['admin'] };
const fields = (cls: new () => object, body: unknown): string[] => {
  try {
    validatePayload(cls, body, 'request');
    return [];
  } catch (err) {
    return ((err as DomainException).errors ?? []).map((e) => e.field);
  }
};

/** Found by the fuzz suite: fields required on create were optional (a parent's @IsOptional wins), and billing lists had no page bound. */
describe('required fields of the new services', () => {
  it('are required on create and optional on update', () => {
    expect(fields(CreateProviderRequest, { caller })).toEqual(expect.arrayContaining(['name', 'secret_key']));
    expect(fields(CreateProviderRequest, { caller, name: 'stripe', secret_key: null })).toContain('secret_key');
    expect(fields(UpdateProviderRequest, { caller, id: caller.actor.id })).toEqual([]);
    expect(fields(CreateWebhookEndpointRequest, { caller })).toContain('url');
    expect(fields(UpdateWebhookEndpointRequest, { caller, id: caller.actor.id })).toEqual([]);
    expect(fields(CreateSubscriptionRequest, { caller, tenant_id: caller.actor.id })).toContain('plan');
  });

  it('bound the page of billing lists', () => {
    expect(fields(ListSubscriptionsRequest, { caller, page: '99999999999999999999' })).toContain('page');
    expect(fields(ListInvoicesRequest, { caller, page: '99999999999999999999' })).toContain('page');
    expect(fields(ListInvoicesRequest, { caller, page: '3' })).toEqual([]);
  });
});
