import { describe, expect, it } from '@jest/globals';
import type { DeadLetterListRequest, DeadLetterView, ServiceName } from '@saas/contracts';
import { DomainException } from '@saas/errors';
import type { RpcClient } from '@saas/messaging';
import { DeadLettersService } from './dead-letters.service.js';

function letter(service: ServiceName, n: number): DeadLetterView {
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    service,
    consumer: service,
    subject: 'events.tenant.created',
    event_id: null,
    type: 'tenant.created',
    error: 'boom',
    attempts: 5,
    status: 'parked',
    parked_at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    replayed_at: null,
    payload: '{}',
  };
}

/** Each fake service holds `letters[service]`, newest first, and pages like the service kit does. */
function fakeRpc(letters: Partial<Record<ServiceName, DeadLetterView[]>>, down: ServiceName[] = []) {
  const calls: Array<{ subject: string; data: unknown }> = [];
  const rpc = {
    call: async (subject: string, data: DeadLetterListRequest & { id?: string }) => {
      calls.push({ subject, data });
      const service = subject.split('.')[1] as ServiceName;
      if (down.includes(service)) throw new DomainException('SERVICE_UNAVAILABLE', `${service} down`, { status: 503 });
      if (subject.endsWith('.replay')) return { id: data.id, status: 'replayed' };
      const all = letters[service] ?? [];
      const size = data.page_size ?? 20;
      const from = ((data.page ?? 1) - 1) * size;
      return { count: all.length, results: all.slice(from, from + size) };
    },
  } as unknown as RpcClient;
  return { rpc, calls };
}

describe('DeadLettersService', () => {
  const billing = [9, 7, 5, 3, 1].map((n) => letter('billing', n));
  const tenants = [8, 6, 4, 2].map((n) => letter('tenants', n));

  it('asks one service when one is named', async () => {
    const { rpc, calls } = fakeRpc({ billing });
    const list = await new DeadLettersService(rpc).list('billing', 'replayed', { page: 2, page_size: 2 });
    expect(calls).toEqual([{ subject: 'rpc.billing.dead-letters.list', data: { status: 'replayed', page: 2, page_size: 2 } }]);
    expect(list).toEqual({ count: 5, results: billing.slice(2, 4) });
  });

  it('sends the service only the page fields, whatever else the query DTO carries', async () => {
    const { rpc, calls } = fakeRpc({ billing });
    const query = { service: 'billing', status: 'parked', page: 1, page_size: 5, extra: true } as const;
    await new DeadLettersService(rpc).list('billing', 'parked', query);
    expect(calls[0]?.data).toEqual({ status: 'parked', page: 1, page_size: 5 });
  });

  it('merges all services newest first and pages across them', async () => {
    const { rpc } = fakeRpc({ billing, tenants });
    const svc = new DeadLettersService(rpc);
    const page1 = await svc.list(undefined, 'parked', { page: 1, page_size: 3 });
    const page2 = await svc.list(undefined, 'parked', { page: 2, page_size: 3 });
    const page3 = await svc.list(undefined, 'parked', { page: 3, page_size: 3 });
    expect(page1.count).toBe(9);
    const seconds = (p: { results: DeadLetterView[] }) => p.results.map((l) => new Date(l.parked_at).getUTCSeconds());
    expect([seconds(page1), seconds(page2), seconds(page3)]).toEqual([
      [9, 8, 7],
      [6, 5, 4],
      [3, 2, 1],
    ]);
    expect(page1.unavailable).toBeUndefined();
  });

  it('fetches deep windows in pages of at most 100', async () => {
    const many = Array.from({ length: 250 }, (_, i) => letter('billing', 250 - i));
    const { rpc, calls } = fakeRpc({ billing: many });
    const page = await new DeadLettersService(rpc).list(undefined, 'parked', { page: 3, page_size: 100 });
    expect(page.results).toHaveLength(50);
    expect(page.results[0]).toEqual(many[200]);
    const billingCalls = calls.filter((c) => c.subject.startsWith('rpc.billing'));
    expect(billingCalls.map((c) => c.data)).toEqual([1, 2, 3].map((p) => ({ status: 'parked', page: p, page_size: 100 })));
  });

  it('lists what the answering services have and names the ones that did not answer', async () => {
    const { rpc } = fakeRpc({ billing, tenants }, ['tenants', 'webhooks']);
    const list = await new DeadLettersService(rpc).list(undefined, 'parked', { page: 1, page_size: 20 });
    expect(list.count).toBe(5);
    expect(list.unavailable?.map((u) => [u.service, u.code])).toEqual([
      ['tenants', 'SERVICE_UNAVAILABLE'],
      ['webhooks', 'SERVICE_UNAVAILABLE'],
    ]);
  });

  it('fails like the services when none answers', async () => {
    const { rpc } = fakeRpc({}, ['identity', 'tenants', 'provisioning', 'backups', 'billing', 'webhooks']);
    await expect(new DeadLettersService(rpc).list(undefined, 'parked', { page: 1, page_size: 20 })).rejects.toMatchObject({
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
    });
  });

  it('refuses to merge deeper than the window', async () => {
    const { rpc } = fakeRpc({});
    await expect(new DeadLettersService(rpc).list(undefined, 'parked', { page: 11, page_size: 100 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('replays through the owning service', async () => {
    const { rpc, calls } = fakeRpc({});
    const id = '3f0c2a0e-1111-4a4a-8888-123456789abc';
    await expect(new DeadLettersService(rpc).replay('tenants', id)).resolves.toEqual({ id, status: 'replayed' });
    expect(calls).toEqual([{ subject: 'rpc.tenants.dead-letters.replay', data: { id } }]);
  });
});
