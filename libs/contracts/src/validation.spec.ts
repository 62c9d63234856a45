import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { IsString, IsUUID } from 'class-validator';
import { validatePayload } from './validation.js';

class TenantCreatedData {
  @IsUUID() tenant_id!: string;
  @IsString() slug!: string;
}

describe('validatePayload', () => {
  const data = { tenant_id: '2b1f5a0e-6f0a-4d3b-9a57-3a1f7d7c9e11', slug: 'acme', owner_id: 'x', brand_new_field: 1 };

  it('refuses unknown fields in requests (no mass assignment)', () => {
    expect(() => validatePayload(TenantCreatedData, data, 'request')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });

  // Regression: tenant.created carries more than provisioning reads; it was parked as poison.
  it('keeps unknown fields of events and still checks the known ones', () => {
    const ok = validatePayload(TenantCreatedData, data, 'event data', { unknownFields: 'keep' });
    expect(ok).toMatchObject({ slug: 'acme', owner_id: 'x', brand_new_field: 1 });
    expect(() => validatePayload(TenantCreatedData, { ...data, tenant_id: 'nope' }, 'event data', { unknownFields: 'keep' })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });
});
