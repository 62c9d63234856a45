import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import { formatSecret, signedHeaders } from './signing.js';

describe('Standard Webhooks signing', () => {
  const secret = formatSecret(randomBytes(24));
  const body = JSON.stringify({ type: 'tenant.ready', timestamp: '2026-12-01T10:00:00.000Z', data: { tenant_id: 'x' } });
  const now = () => Math.floor(Date.now() / 1000);

  it('makes whsec_ secrets of 24 bytes', () => {
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
  });

  it('is verified by the official standardwebhooks package', () => {
    const headers = signedHeaders([secret], 'msg_1', now(), body);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('carries one signature per secret, each verifying with its own secret', () => {
    const old = formatSecret(randomBytes(24));
    const headers = signedHeaders([secret, old], 'msg_2', now(), body);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(() => new Webhook(secret).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(old).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(formatSecret(randomBytes(24))).verify(body, headers)).toThrow();
  });

  it('does not verify a changed body or id', () => {
    const headers = signedHeaders([secret], 'msg_3', now(), body);
    expect(() => new Webhook(secret).verify(body.replace('x', 'y'), headers)).toThrow();
    expect(() => new Webhook(secret).verify(body, { ...headers, 'webhook-id': 'msg_4' })).toThrow();
  });
});
