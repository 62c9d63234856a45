import { describe, expect, it } from '@jest/globals';
import { SubjectNaming } from './naming.js';

describe('SubjectNaming', () => {
  it('uses the contract subjects unchanged in production (no prefix)', () => {
    const n = new SubjectNaming();
    expect(n.subject('rpc.tenants.get')).toBe('rpc.tenants.get');
    expect(n.event('tenant.created')).toBe('events.tenant.created');
    expect(n.eventsWildcard).toBe('events.>');
    expect(n.streamName).toBe('EVENTS');
    expect(n.typeOf('events.tenant.created')).toBe('tenant.created');
  });

  it('prefixes every subject and names its own stream under a test prefix', () => {
    const n = new SubjectNaming('t_rpc_3f9a0b1c.');
    expect(n.subject('rpc.tenants.get')).toBe('t_rpc_3f9a0b1c.rpc.tenants.get');
    expect(n.event('tenant.created')).toBe('t_rpc_3f9a0b1c.events.tenant.created');
    expect(n.eventsWildcard).toBe('t_rpc_3f9a0b1c.events.>');
    expect(n.streamName).toBe('t_rpc_3f9a0b1c_EVENTS');
    expect(n.typeOf(n.event('provisioning.step'))).toBe('provisioning.step');
  });

  it('makes stream names JetStream accepts (no dots or other separators)', () => {
    expect(new SubjectNaming('run-42.').streamName).toBe('run-42_EVENTS');
    expect(new SubjectNaming('run-42.').streamName).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('agrees with the stream name TestEnv deletes on cleanup', () => {
    const prefix = 't_label_0011aabb.';
    expect(new SubjectNaming(prefix).streamName).toBe(`${prefix.replace(/\.$/, '')}_EVENTS`);
  });
});
