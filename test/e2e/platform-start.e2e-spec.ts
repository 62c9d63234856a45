import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { distPath, REPO_ROOT, startProcess, TestEnv, type ManagedProcess } from '@saas/testing';
import path from 'node:path';

/**
 * `npm start` as a user runs it: the launcher checks Postgres and NATS, creates the database,
 * migrates, starts all seven processes, creates the admin, prints where to go, and stops cleanly.
 */
describe('npm start (the platform launcher)', () => {
  let env: TestEnv | undefined;
  let launcher: ManagedProcess | undefined;

  afterAll(async () => {
    await launcher?.kill('SIGKILL');
    await env?.cleanup();
  }, 60_000);

  it('brings the whole platform up on a fresh database, serves health, and stops gracefully', async () => {
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'tools', 'build.mjs')], { stdio: 'ignore', env: { ...process.env, BUILD_QUIET: '1' } });
    env = await TestEnv.create('launcher');
    // A database that does not exist yet: the launcher creates it.
    const fresh = new URL(env.databaseUrl);
    fresh.pathname = `${fresh.pathname}_fresh`;
    const launcherEnv = env.env({ DATABASE_URL: fresh.toString(), PORT: '0', METRICS_BASE_PORT: '0', LOG_FORMAT: 'json', LOG_LEVEL: 'warn', ADMIN_EMAIL: 'root@example.com' });
    launcher = startProcess('launcher', distPath('tools', 'platform', 'start.js'), launcherEnv);
    try {
      // The last line of the banner: everything above it (URLs, the admin) has been printed by then.
      await launcher.waitForOutput(/Press Ctrl-C to stop/, 90_000);
      const out = launcher.output();
      expect(out).toMatch(/postgres\s+ok \(database created\)/);
      expect(out).toMatch(/identity\s+\d+ migration\(s\) applied/);
      const admin = out.match(/Admin\s+root@example\.com \/ (\S+)\s+\(generated now/);
      expect(admin?.[1]?.length).toBeGreaterThanOrEqual(20);
      const base = out.match(/API\s+(http:\/\/localhost:\d+)\/api\/v1/)![1]!;

      const health = await fetch(`${base}/health/detailed`);
      const body = (await health.json()) as { status: string; services: Record<string, { status: string }> };
      expect(health.status).toBe(200);
      expect(Object.keys(body.services).sort()).toEqual(['backups', 'billing', 'identity', 'provisioning', 'tenants', 'webhooks']);
      expect(Object.values(body.services).every((s) => s.status === 'ok')).toBe(true);

      expect(await launcher.kill('SIGTERM')).toBe(0);
      expect(launcher.output()).toMatch(/Stopped\./);
      // Nothing of this platform is left running.
      const leftovers = execFileSync('ps', ['-eo', 'args']).toString().split('\n').filter((l) => l.includes(fresh.pathname.slice(1)) || (l.includes('dist/apps/') && l.includes(env!.prefix)));
      expect(leftovers).toEqual([]);
    } finally {
      const admin = await env.pg();
      await admin.query(`DROP DATABASE IF EXISTS "${fresh.pathname.slice(1)}" WITH (FORCE)`).catch(() => undefined);
      await admin.end();
    }
  }, 150_000);

  it('says exactly how to start NATS when it is not reachable, and exits non-zero', async () => {
    const env2 = await TestEnv.create('launcher_nonats');
    try {
      const proc = startProcess('launcher', distPath('tools', 'platform', 'start.js'), env2.env({ NATS_URL: 'nats://127.0.0.1:1', PORT: '0' }));
      const code = await proc.exited;
      expect(code).toBe(1);
      expect(proc.output()).toMatch(/NATS is not reachable at nats:\/\/127\.0\.0\.1:1/);
      expect(proc.output()).toMatch(/nats-server .* -js/);
      expect(proc.output()).toMatch(/docker compose up -d nats/);
    } finally {
      await env2.cleanup();
    }
  }, 60_000);

  it('says exactly how to start Postgres when it is not reachable', async () => {
    const proc = startProcess('launcher', distPath('tools', 'platform', 'start.js'), { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere', PORT: '0' });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toMatch(/PostgreSQL is not reachable at 127\.0\.0\.1:1/);
    expect(proc.output()).toMatch(/pg_ctlcluster --skip-systemctl-redirect/);
  }, 30_000);
});
