import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { distPath, TestPlatform, waitFor, WebhookReceiver } from '@saas/testing';

interface Run {
  code: number;
  out: string;
}

/**
 * The operator CLI driven as a person would, in a terminal: `script` gives it a pseudo-terminal, so
 * the live progress bar redraws in place (carriage returns), and what it printed is read back.
 */
describe('saasctl in a terminal (e2e)', () => {
  let platform: TestPlatform;
  let home: string;
  let configFile: string;

  /** Runs `saasctl …` under a pty; output is what the terminal showed (stdout and stderr together). */
  const saasctl = (args: string[], env: Record<string, string> = {}): Promise<Run> => {
    const command = [process.execPath, distPath('tools', 'saasctl', 'main.js'), ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    return new Promise((resolve) => {
      execFile('script', ['-qfec', command, '/dev/null'], { env: { PATH: process.env.PATH ?? '', HOME: home, SAASCTL_CONFIG: configFile, TERM: 'xterm', ...env }, timeout: 120_000 }, (err, stdout) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout });
      });
    });
  };

  beforeAll(async () => {
    platform = await TestPlatform.start('saasctl_e2e', { services: ['identity', 'tenants', 'provisioning', 'backups', 'billing', 'webhooks'], env: { BACKUP_POLL_MS: '100' } });
    home = mkdtempSync(path.join(tmpdir(), 'saasctl-home-'));
    configFile = path.join(home, 'saasctl.json');
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
    rmSync(home, { recursive: true, force: true });
  }, 120_000);

  it('logs in, creates a tenant with --wait showing live progress, lists, backs it up and reports failures with the problem code', async () => {
    const login = await saasctl(['login', '--url', platform.baseUrl, '--email', platform.admin.email], { SAASCTL_PASSWORD: platform.admin.password });
    expect(login).toMatchObject({ code: 0 });
    expect(login.out).toContain(platform.admin.email);
    expect(statSync(configFile).mode & 0o777).toBe(0o600);

    const slug = `cli-${platform.runId}`;
    const created = await saasctl(['tenants', 'create', '--name', 'Cli Corp', '--subdomain', slug, '--wait']);
    expect(created.code).toBe(0);
    // The bar redrew in place on the terminal, through the provisioning steps to 100%.
    expect(created.out).toMatch(/\r\x1b\[2K\[[#-]{24}\]\s+\d+%\s+(pending|provisioning)/);
    expect(created.out).toMatch(/\[#{24}\] 100%\s+active/);
    expect(created.out).toMatch(new RegExp(`${slug}\\s+active`));

    const listed = await saasctl(['tenants', 'list', '--output', 'json']);
    const tenants = JSON.parse(listed.out.slice(listed.out.indexOf('['))) as Array<{ id: string; slug: string; status: string }>;
    const tenant = tenants.find((t) => t.slug === slug)!;
    expect(tenant.status).toBe('active');

    const backup = await saasctl(['backups', 'create', tenant.id, '--wait']);
    expect(backup.code).toBe(0);
    expect(backup.out).toMatch(/\] 100%\s+completed/);
    expect((await saasctl(['backups', 'list', tenant.id])).out).toMatch(/manual\s+completed/);

    expect((await saasctl(['admin', 'stats', '--output', 'json'])).out).toContain('total_tenants');

    const missing = await saasctl(['tenants', 'show', '00000000-0000-4000-8000-000000000000']);
    expect(missing.code).toBe(1);
    expect(missing.out).toContain('error: TENANT_NOT_FOUND');
    const taken = await saasctl(['tenants', 'create', '--name', 'Again', '--subdomain', slug]);
    expect(taken.code).toBe(1);
    expect(taken.out).toContain('error: INVALID_SUBDOMAIN');

    const deleted = await saasctl(['tenants', 'delete', tenant.id, '--wait']);
    expect(deleted.code).toBe(0);
    expect(deleted.out).toMatch(/\] 100%\s+deleted/);
  });
  /** The JSON a `--output json` command printed (after whatever the terminal showed before it). */
  const json = <T>(run: Run): T => JSON.parse(run.out.slice(Math.min(...['[', '{'].map((c) => run.out.indexOf(c)).filter((i) => i >= 0)))) as T;

  it('runs billing and webhooks from the terminal: plans, the subscription, the invoice as a PDF file, endpoints, deliveries, retries', async () => {
    expect((await saasctl(['login', '--url', platform.baseUrl, '--email', platform.admin.email], { SAASCTL_PASSWORD: platform.admin.password })).code).toBe(0);
    const receiver = await new WebhookReceiver().start();
    try {
      expect((await saasctl(['plans', 'list'])).out).toMatch(/standard\s+Standard/);

      const endpoint = json<{ id: string; secret: string }>(await saasctl(['webhooks', 'create', '--endpoint', receiver.url, '--events', 'tenant.ready', '--output', 'json']));
      expect(endpoint.secret).toMatch(/^whsec_/);
      expect((await saasctl(['webhooks', 'event-types'])).out).toContain('tenant.ready');
      expect((await saasctl(['webhooks', 'test', endpoint.id])).code).toBe(0);
      await waitFor(async () => receiver.requests.length > 0, 'the test event reached the receiver', 30_000, 100);
      const deliveries = await waitFor(async () => {
        const listed = json<Array<{ id: string; status: string }>>(await saasctl(['webhooks', 'deliveries', '--endpoint-id', endpoint.id, '--output', 'json']));
        return listed.length === 1 && listed[0]!.status === 'succeeded' ? listed : null;
      }, 'the delivery listed as succeeded', 30_000, 200);
      expect((await saasctl(['webhooks', 'retry', deliveries[0]!.id])).code).toBe(0);
      await waitFor(async () => receiver.requests.length > 1, 'the retried delivery arrived', 30_000, 100);
      expect(receiver.requests[1]!.headers['webhook-id']).toBe(receiver.requests[0]!.headers['webhook-id']);
      const rotated = json<{ secret: string }>(await saasctl(['webhooks', 'rotate-secret', endpoint.id, '--output', 'json']));
      expect(rotated.secret).toMatch(/^whsec_/);
      expect(rotated.secret).not.toBe(endpoint.secret);
      expect((await saasctl(['webhooks', 'delete', endpoint.id])).code).toBe(0);
      expect((await saasctl(['webhooks', 'list'])).out).not.toContain(endpoint.id);

      const slug = `cli-bill-${platform.runId}`;
      expect((await saasctl(['tenants', 'create', '--name', 'Cli Billing', '--subdomain', slug, '--wait'])).code).toBe(0);
      const tenant = json<Array<{ id: string; slug: string }>>(await saasctl(['tenants', 'list', '--output', 'json'])).find((t) => t.slug === slug)!;
      const subscription = await waitFor(async () => json<Array<{ id: string; status: string }>>(await saasctl(['subscriptions', 'list', '--tenant', tenant.id, '--output', 'json']))[0] ?? null, 'the trial subscription', 30_000, 200);
      expect(subscription.status).toBe('trialing');
      const seats = await saasctl(['subscriptions', 'change', subscription.id, '--seats', 'many']);
      expect(seats.code).toBe(1);
      expect(seats.out).toContain('error: USAGE: --seats must be a whole number');

      // A card and the end of the trial (the sandbox's test clock), through the API as an integrator would.
      const token = ((await (await fetch(`${platform.baseUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(platform.admin) })).json()) as { access_token: string }).access_token;
      const api = (method: string, route: string, body: unknown) => fetch(`${platform.baseUrl}${route}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect((await api('POST', '/api/v1/billing/payment-methods', { tenant_id: tenant.id, card_number: '4242424242424242', exp_month: 12, exp_year: 2035 })).status).toBe(201);
      expect((await api('POST', `/api/v1/billing/test-clocks/${subscription.id}/advance`, { days: 15 })).status).toBe(200);

      const invoices = json<Array<{ id: string; number: string; status: string }>>(await saasctl(['invoices', 'list', '--tenant', tenant.id, '--output', 'json']));
      expect(invoices).toMatchObject([{ status: 'paid' }]);
      const file = path.join(home, 'invoice.pdf');
      const pdf = await saasctl(['invoices', 'pdf', invoices[0]!.id, '--out', file]);
      expect(pdf.code).toBe(0);
      expect(pdf.out).toContain(file);
      expect(readFileSync(file).subarray(0, 5).toString('latin1')).toBe('%PDF-');

      const canceled = json<{ status: string; cancel_at_period_end: boolean }>(await saasctl(['subscriptions', 'cancel', subscription.id, '--at-period-end', '--output', 'json']));
      expect(canceled.cancel_at_period_end).toBe(true);
      expect((await saasctl(['tenants', 'delete', tenant.id])).code).toBe(0);
    } finally {
      await receiver.stop();
    }
  });
});
