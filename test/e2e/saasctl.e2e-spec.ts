import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { distPath, TestPlatform } from '@saas/testing';

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
    platform = await TestPlatform.start('saasctl_e2e', { services: ['identity', 'tenants', 'provisioning', 'backups'], env: { BACKUP_POLL_MS: '100' } });
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
});
