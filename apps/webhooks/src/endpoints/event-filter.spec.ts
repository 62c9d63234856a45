import { describe, expect, it } from '@jest/globals';
import { filterMatches } from './event-filter.js';

describe('filterMatches', () => {
  it('takes every type when the filter is empty or *', () => {
    expect(filterMatches([], 'tenant.created')).toBe(true);
    expect(filterMatches(['*'], 'user.deleted')).toBe(true);
  });

  it('matches exact types only exactly', () => {
    expect(filterMatches(['tenant.ready'], 'tenant.ready')).toBe(true);
    expect(filterMatches(['tenant.ready'], 'tenant.created')).toBe(false);
    expect(filterMatches(['tenant.ready'], 'tenant.ready_soon')).toBe(false);
  });

  it('matches aggregate wildcards on the aggregate, not on a prefix of its name', () => {
    expect(filterMatches(['tenant.*'], 'tenant.created')).toBe(true);
    expect(filterMatches(['tenant.*'], 'tenant.status_changed')).toBe(true);
    expect(filterMatches(['tenant.*'], 'tenants.created')).toBe(false);
    expect(filterMatches(['tenant.*'], 'tenant.')).toBe(false);
    expect(filterMatches(['tenant.*'], 'user.created')).toBe(false);
    expect(filterMatches(['user.created', 'tenant.*'], 'user.created')).toBe(true);
  });
});
