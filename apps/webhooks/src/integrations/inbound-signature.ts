import { createHmac, timingSafeEqual } from 'node:crypto';
import Stripe from 'stripe';
import type { SignatureScheme } from '@saas/contracts';
import { signature as standardSignature } from '../delivery/signing.js';

export type VerifyResult = { ok: true } | { ok: false; reason: string };

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function fresh(timestampS: number, nowS: number, toleranceS: number): boolean {
  return Number.isFinite(timestampS) && Math.abs(nowS - timestampS) <= toleranceS;
}

/**
 * Checks an inbound webhook's signature over its raw body, in the provider's scheme:
 * - `standard_webhooks`: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<b64>` (any of several),
 *   key = the base64 part of a `whsec_` secret;
 * - `stripe`: `stripe-signature: t=<unix>,v1=<hex>[,v1=…]`, HMAC-SHA256 of `"<t>.<body>"` with the secret,
 *   checked by the official `stripe` library (`webhooks.signature.verifyHeader`);
 * - `hmac_sha256`: `x-signature: <hex>` (or `sha256=<hex>`), HMAC-SHA256 of the body.
 * Timestamps outside `toleranceS` are refused (a replay). Comparisons are constant-time.
 */
export function verifyInboundSignature(
  scheme: SignatureScheme,
  secret: string,
  rawBody: string,
  headers: Record<string, string>,
  nowS: number,
  toleranceS: number,
): VerifyResult {
  switch (scheme) {
    case 'standard_webhooks': {
      const id = headers['webhook-id'];
      const ts = headers['webhook-timestamp'];
      const sig = headers['webhook-signature'];
      if (!id || !ts || !sig) return { ok: false, reason: 'missing webhook-id, webhook-timestamp or webhook-signature' };
      if (!/^\d+$/.test(ts) || !fresh(Number(ts), nowS, toleranceS)) return { ok: false, reason: 'timestamp outside the tolerance' };
      let expected: string;
      try {
        expected = standardSignature(secret, id, Number(ts), rawBody);
      } catch {
        return { ok: false, reason: 'the provider secret is not a whsec_ secret' };
      }
      return sig.split(' ').some((s) => sameText(s, expected)) ? { ok: true } : { ok: false, reason: 'signature mismatch' };
    }
    case 'stripe': {
      const header = headers['stripe-signature'];
      if (!header) return { ok: false, reason: 'missing stripe-signature' };
      // Stripe's own check (the official library), with our clock as the time of receipt.
      const stripe = Stripe.webhooks.signature;
      if (!stripe) return { ok: false, reason: 'the stripe library has no signature check' };
      try {
        stripe.verifyHeader(rawBody, header, secret, toleranceS, undefined, nowS * 1000);
        return { ok: true };
      } catch (err) {
        const message = (err as Error).message ?? '';
        if (/tolerance/i.test(message)) return { ok: false, reason: 'timestamp outside the tolerance' };
        if (/extract|expected scheme/i.test(message)) return { ok: false, reason: 'stripe-signature needs t= and v1=' };
        return { ok: false, reason: 'signature mismatch' };
      }
    }
    case 'hmac_sha256': {
      const header = headers['x-signature'];
      if (!header) return { ok: false, reason: 'missing x-signature' };
      const given = header.replace(/^sha256=/, '').trim().toLowerCase();
      const expected = createHmac('sha256', secret).update(rawBody).digest('hex');
      return sameText(given, expected) ? { ok: true } : { ok: false, reason: 'signature mismatch' };
    }
  }
}
