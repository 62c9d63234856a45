import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { DomainException } from '@saas/errors';
import { ListQueryDto, MAX_PAGE_SIZE, maxPage } from './list.js';
import { ListTenantsRequest } from './tenants.js';
import { InstanceLogsRequest } from './provisioning.js';
import { validatePayload } from './validation.js';

const caller = { actor: { type: 'user', id: '2b1f5a0e-6f0a-4d3b-9a57-3a1f7d7c9e11' }, roles: ['user'] };

function fieldsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainException) return (err.errors ?? []).map((e) => e.field);
    throw err;
  }
  throw new Error('expected VALIDATION_FAILED');
}

// Regression (issue 16): ?page=99999999999999999999 passed validation and Postgres refused the OFFSET (500).
describe('page bounds of every list', () => {
  it('keeps the offset of the last allowed page a safe integer for any page_size', () => {
    for (const size of [1, 20, MAX_PAGE_SIZE, 500]) expect(Number.isSafeInteger((maxPage(size) - 1) * size)).toBe(true);
    expect(maxPage(20)).toBeGreaterThan(1e12);
  });

  it.each([
    ['the shared list query', ListQueryDto, {}],
    ['the tenants list', ListTenantsRequest, { caller }],
    ['the instance logs', InstanceLogsRequest, { tenant_id: '2b1f5a0e-6f0a-4d3b-9a57-3a1f7d7c9e11' }],
  ])('refuses a page beyond what can be offset in %s, accepts the last one', (_what, cls, extra) => {
    const validate = (query: Record<string, string>) => validatePayload(cls as never, { ...extra, ...query }, 'query');
    expect([...new Set(fieldsOf(() => validate({ page: '99999999999999999999' })))]).toEqual(['page']);
    expect([...new Set(fieldsOf(() => validate({ page: '1e400' })))]).toEqual(['page']);
    expect([...new Set(fieldsOf(() => validate({ page: String(maxPage(20) + 1), page_size: '20' })))]).toEqual(['page']);
    expect((validate({ page: String(maxPage(20)), page_size: '20' }) as { page: number }).page).toBe(maxPage(20));
    expect((validate({}) as { page: number }).page).toBe(1);
  });
});
