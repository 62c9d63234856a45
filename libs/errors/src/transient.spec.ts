import { describe, expect, it } from '@jest/globals';
import { DomainException } from './domain.exception.js';
import { retryTransient } from './transient.js';

const unavailable = () => new DomainException('SERVICE_UNAVAILABLE', 'The provisioning service is not available right now.', { status: 503 });

describe('retryTransient', () => {
  it('tries again while the failure is transient, and returns the first success', async () => {
    let calls = 0;
    const result = await retryTransient(
      async () => {
        if (++calls < 3) throw unavailable();
        return 'located';
      },
      { deadlineMs: 5_000, baseMs: 10 },
    );
    expect([result, calls]).toEqual(['located', 3]);
  });

  it('gives up at once on a permanent failure, and at the deadline on a lasting blip', async () => {
    let calls = 0;
    const notFound = new DomainException('INSTANCE_NOT_FOUND', 'no such tenant', { status: 404 });
    await expect(retryTransient(async () => { calls++; throw notFound; }, { deadlineMs: 5_000, baseMs: 10 })).rejects.toBe(notFound);
    expect(calls).toBe(1);
    const started = Date.now();
    await expect(retryTransient(async () => { throw unavailable(); }, { deadlineMs: 300, baseMs: 20, maxMs: 40 })).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
