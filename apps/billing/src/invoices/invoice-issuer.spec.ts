import { describe, expect, it } from '@jest/globals';
import { isUUID } from 'class-validator';
import { formatInvoiceNumber, periodInvoiceId, taxOf } from './invoice-issuer.js';

describe('invoice issuer helpers', () => {
  it('derives a period invoice id from the subscription and the period: the same renewal retried gets the same id (and idempotency key)', () => {
    const sub = '5b2f0a44-61c4-4e0b-9a2e-3b1f1c0d9e11';
    const start = new Date('2026-11-01T00:00:00.000Z');
    const id = periodInvoiceId(sub, start);
    expect(isUUID(id)).toBe(true);
    expect(periodInvoiceId(sub, new Date(start.getTime()))).toBe(id);
    expect(periodInvoiceId(sub, new Date('2026-12-01T00:00:00.000Z'))).not.toBe(id);
    expect(periodInvoiceId('0f7c4c55-8f43-4d5e-8f63-7e1b6b1a2c33', start)).not.toBe(id);
  });

  it('formats gapless numbers and rounds tax half away from zero', () => {
    expect(formatInvoiceNumber(2026, 123)).toBe('INV-2026-000123');
    expect(taxOf(2_900, 1_900)).toBe(551);
    expect(taxOf(5, 1_000)).toBe(1);
  });
});
