import { createHmac, randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import { formatSecret } from '../delivery/signing.js';
import { verifyInboundSignature } from './inbound-signature.js';
import { ipAllowed, isAllowListEntry } from './ip-allow-list.js';

const body = '{"id":"evt_1","type":"payment.succeeded","data":{"amount":100}}';
const now = 1_800_000_000;

describe('verifyInboundSignature', () => {
  it('accepts Standard Webhooks signed by the official package, within the tolerance only', () => {
    const secret = formatSecret(randomBytes(24));
    const wh = new Webhook(secret);
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(now), 'webhook-signature': wh.sign('msg_1', new Date(now * 1000), body) };
    expect(verifyInboundSignature('standard_webhooks', secret, body, headers, now + 10, 300)).toEqual({ ok: true });
    expect(verifyInboundSignature('standard_webhooks', secret, body, headers, now + 301, 300)).toMatchObject({ ok: false, reason: /tolerance/ });
    expect(verifyInboundSignature('standard_webhooks', secret, body.replace('100', '999'), headers, now, 300)).toMatchObject({ ok: false });
    expect(verifyInboundSignature('standard_webhooks', formatSecret(randomBytes(24)), body, headers, now, 300)).toMatchObject({ ok: false });
    expect(verifyInboundSignature('standard_webhooks', secret, body, { 'webhook-id': 'msg_1' }, now, 300)).toMatchObject({ ok: false, reason: /missing/ });
  });

  it('accepts Stripe-style t=…,v1=… signatures (checked by the official stripe library)', () => {
    const secret = 'whsec_stripe_like_secret';
    const v1 = createHmac('sha256', secret).update(`${now}.${body}`).digest('hex');
    expect(verifyInboundSignature('stripe', secret, body, { 'stripe-signature': `t=${now},v1=deadbeef,v1=${v1}` }, now, 300)).toEqual({ ok: true });
    // What Stripe itself sends, built by its library.
    const official = Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: now });
    expect(verifyInboundSignature('stripe', secret, body, { 'stripe-signature': official }, now + 10, 300)).toEqual({ ok: true });
    const old = Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: now - 1000 });
    expect(verifyInboundSignature('stripe', secret, body, { 'stripe-signature': old }, now, 300)).toMatchObject({ ok: false, reason: /tolerance/ });
    expect(verifyInboundSignature('stripe', secret, body.replace('100', '999'), { 'stripe-signature': official }, now, 300)).toMatchObject({ ok: false, reason: /mismatch/ });
    expect(verifyInboundSignature('stripe', secret, body, { 'stripe-signature': 'garbage' }, now, 300)).toMatchObject({ ok: false, reason: /t= and v1=/ });
    expect(verifyInboundSignature('stripe', secret, body, { 'stripe-signature': `t=${now},v1=${'0'.repeat(64)}` }, now, 300)).toMatchObject({ ok: false });
    expect(verifyInboundSignature('stripe', secret, body, {}, now, 300)).toMatchObject({ ok: false });
  });

  it('accepts a plain hex HMAC-SHA256 in X-Signature', () => {
    const secret = 'plain-hmac-secret';
    const hex = createHmac('sha256', secret).update(body).digest('hex');
    expect(verifyInboundSignature('hmac_sha256', secret, body, { 'x-signature': hex }, now, 300)).toEqual({ ok: true });
    expect(verifyInboundSignature('hmac_sha256', secret, body, { 'x-signature': `sha256=${hex.toUpperCase()}` }, now, 300)).toEqual({ ok: true });
    expect(verifyInboundSignature('hmac_sha256', 'other-secret', body, { 'x-signature': hex }, now, 300)).toMatchObject({ ok: false });
  });
});

describe('ipAllowed', () => {
  it('matches addresses and CIDR blocks, IPv4 through mapped IPv6 too; an empty list allows all', () => {
    expect(ipAllowed([], '8.8.8.8')).toBe(true);
    expect(ipAllowed(['203.0.113.0/24'], '203.0.113.7')).toBe(true);
    expect(ipAllowed(['203.0.113.0/24'], '::ffff:203.0.113.7')).toBe(true);
    expect(ipAllowed(['203.0.113.0/24'], '198.51.100.1')).toBe(false);
    expect(ipAllowed(['2001:db8::/32', '127.0.0.1'], '2001:db8::5')).toBe(true);
    expect(ipAllowed(['127.0.0.1'], '127.0.0.2')).toBe(false);
    expect(ipAllowed(['127.0.0.1'], 'not-an-ip')).toBe(false);
  });

  it('tells valid entries', () => {
    expect(isAllowListEntry('10.0.0.0/8')).toBe(true);
    expect(isAllowListEntry('::1')).toBe(true);
    expect(isAllowListEntry('10.0.0.0/33')).toBe(false);
    expect(isAllowListEntry('example.com')).toBe(false);
  });
});
