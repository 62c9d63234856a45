import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { DomainException } from '@saas/errors';
import { CreateTenantRequest, UpdateTenantRequest } from './tenants.js';
import { validatePayload } from './validation.js';

const caller = { actor: { type: 'user', id: '2b1f5a0e-6f0a-4d3b-9a57-3a1f7d7c9e11' }, roles: ['user'] };

function errorsOf(fn: () => unknown): Array<{ field: string; message: string }> {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainException) return err.errors ?? [];
    throw err;
  }
  throw new Error('expected VALIDATION_FAILED');
}

// Regression (issue 16): name was optional through TenantFieldsDto's @IsOptional, so a create without it reached the service (500).
describe('CreateTenantRequest', () => {
  it.each([
    ['no name', {}],
    ['a null name', { name: null }],
    ['only metadata', { metadata: { a: 1 } }],
  ])('refuses %s with VALIDATION_FAILED naming name', (_what, body) => {
    expect(errorsOf(() => validatePayload(CreateTenantRequest, { ...body, caller }, 'request')).map((e) => e.field)).toContain('name');
  });

  it('accepts a name', () => {
    expect(validatePayload(CreateTenantRequest, { name: 'Acme', caller }, 'request').name).toBe('Acme');
  });
});

describe('UpdateTenantRequest', () => {
  it('keeps name optional and still checks it when given', () => {
    const id = '2b1f5a0e-6f0a-4d3b-9a57-3a1f7d7c9e11';
    expect(validatePayload(UpdateTenantRequest, { id, caller, plan: 'premium' }, 'request').name).toBeUndefined();
    expect(errorsOf(() => validatePayload(UpdateTenantRequest, { id, caller, name: 'x' }, 'request')).map((e) => e.field)).toEqual(['name']);
  });

  // Regression (issue 16, fuzz seed 7): PUT tenants/{id} with {"settings": null} (or metadata, tier) answered 500.
  it.each(['settings', 'metadata', 'tier', 'plan', 'name', 'admin_password'])('refuses %s: null, which the field cannot hold', (field) => {
    const id = '2b1f5a0e-6f0a-4d3b-9a57-3a1f7d7c9e11';
    expect([...new Set(errorsOf(() => validatePayload(UpdateTenantRequest, { id, caller, [field]: null }, 'request')).map((e) => e.field))]).toEqual([field]);
  });

  it('still clears the nullable fields with null', () => {
    const id = '2b1f5a0e-6f0a-4d3b-9a57-3a1f7d7c9e11';
    expect(validatePayload(UpdateTenantRequest, { id, caller, domain: null, contact_email: null, billing_address: null, custom_plugin_repo: null }, 'request').domain).toBeNull();
  });
});
