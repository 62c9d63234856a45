import { describe, expect, it } from '@jest/globals';
import { EventEnvelopeDto, plainlyValidEnvelope } from './envelope.dto.js';
import { validatePayload } from './validation.js';

const valid = {
  id: '0b8f4c1e-6a53-4c5e-9a3e-2f1d7c9b8a01',
  type: 'tenant.updated',
  version: 1,
  occurred_at: '2026-12-01T10:00:00.000Z',
  tenant_id: '5a1e2f7b-3c4d-4e5f-8a9b-0c1d2e3f4a5b',
  actor: { type: 'user', id: 'u1', ip: '10.0.0.1', user_agent: 'x' },
  correlation_id: 'c1',
  causation_id: null,
  data: { tenant_id: 'x', nested: { a: [1, 2] } },
  extra_field: { kept: true },
};

/** One change to a valid envelope per case: fields removed, nulled, mistyped, malformed. */
const variants: Array<[string, unknown]> = [
  ['valid', valid],
  ['no optional fields', { id: valid.id, type: valid.type, version: 2, occurred_at: valid.occurred_at, actor: { type: 'system' }, data: {} }],
  ['nil uuid', { ...valid, id: '00000000-0000-0000-0000-000000000000' }],
  ['upper-case uuid', { ...valid, id: valid.id.toUpperCase() }],
  ['date without time', { ...valid, occurred_at: '2026-12-01' }],
  ['offset date', { ...valid, occurred_at: '2026-12-01T10:00:00+02:00' }],
];
for (const key of ['id', 'type', 'version', 'occurred_at', 'tenant_id', 'actor', 'correlation_id', 'causation_id', 'data']) {
  for (const value of [undefined, null, '', 'not-a-uuid', 0, 1.5, -1, true, [], {}, ['x'], 'tenant.x', '2026-02-30T10:00:00Z', 'Tenant.x', 'tenant', valid.id]) {
    const plain: Record<string, unknown> = { ...valid };
    if (value === undefined) delete plain[key];
    else plain[key] = value;
    variants.push([`${key}: ${JSON.stringify(value)}`, plain]);
  }
}
for (const key of ['type', 'id', 'ip', 'user_agent']) {
  for (const value of [undefined, null, '', 7, 'admin', 'api_key', {}, []]) {
    const actor: Record<string, unknown> = { ...valid.actor };
    if (value === undefined) delete actor[key];
    else actor[key] = value;
    variants.push([`actor.${key}: ${JSON.stringify(value)}`, { ...valid, actor }]);
  }
}
variants.push(['__proto__ key', JSON.parse(`{"__proto__": {"polluted": true}, ${JSON.stringify(valid).slice(1)}`)]);
variants.push(['not an object', 'x'], ['an array', [valid]], ['null', null]);

const classWay = (plain: unknown) => {
  try {
    return validatePayload(EventEnvelopeDto, plain, 'event envelope', { unknownFields: 'keep' });
  } catch {
    return null;
  }
};

describe('plainlyValidEnvelope', () => {
  it.each(variants)('accepts nothing validatePayload refuses, and gives what it gives (%s)', (_label, plain) => {
    const fast = plainlyValidEnvelope(plain);
    const slow = classWay(plain);
    if (fast === null) return; // the consumer then validates the class way
    expect(slow).not.toBeNull();
    expect(fast).toBeInstanceOf(EventEnvelopeDto);
    expect(fast).toEqual(slow);
  });

  it('takes the plain envelopes producers send', () => {
    expect(plainlyValidEnvelope(valid)).not.toBeNull();
    expect(plainlyValidEnvelope(variants[1]![1])).not.toBeNull();
  });
});
