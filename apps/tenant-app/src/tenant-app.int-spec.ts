import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { distPath, startProcess, TEST_PG_ADMIN_URL, type ManagedProcess } from '@saas/testing';

const database = `t_tenant_app_${randomBytes(3).toString('hex')}`;
const port = 29000 + Math.floor(Math.random() * 900);

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

const get = async (path: string) => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text() };
};

describe('sample tenant app (built, real Postgres)', () => {
  let app: ManagedProcess;

  beforeAll(async () => {
    const script = distPath('apps', 'tenant-app', 'src', 'main.js');
    if (!existsSync(script)) throw new Error('build first: node tools/build.mjs');
    await admin(`CREATE DATABASE ${database}`);
    const url = new URL(TEST_PG_ADMIN_URL);
    url.pathname = `/${database}`;
    app = startProcess('tenant-app', script, {
      TENANT_ID: 'tenant-1',
      TENANT_NAME: '<Acme & Sons>',
      TENANT_SLUG: 'acme',
      DATABASE_URL: url.toString(),
      PORT: String(port),
      LOG_LEVEL: 'debug',
    });
    await app.waitForOutput(/tenant app listening/, 10_000);
  });

  afterAll(async () => {
    if (app) await app.kill('SIGKILL');
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  it('shows the escaped tenant name and counts visits in its database', async () => {
    const first = await get('/');
    expect(first.status).toBe(200);
    expect(first.body).toContain('<h1>&lt;Acme &amp; Sons&gt;</h1>');
    expect(first.body).toContain('id="visits">1<');
    expect((await get('/')).body).toContain('id="visits">2<');
    expect((await get('/nope')).status).toBe(404);
  });

  it('answers /health with 200 only while its database answers', async () => {
    expect(await get('/health')).toEqual({ status: 200, body: JSON.stringify({ status: 'ok', tenant: 'acme' }) });
    await admin(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
    await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${database}'`);
    expect((await get('/health')).status).toBe(503);
    await admin(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);
    expect((await get('/health')).status).toBe(200);
  });

  it('says why it cannot listen in the message itself (the local runtime retries another port on EADDRINUSE)', async () => {
    // The port this suite's app holds: a second app on it must fail to bind, and say EADDRINUSE.
    const url = new URL(TEST_PG_ADMIN_URL);
    url.pathname = `/${database}`;
    const second = startProcess('tenant-app-2', distPath('apps', 'tenant-app', 'src', 'main.js'), {
      TENANT_ID: 'tenant-2',
      TENANT_NAME: 'Second',
      TENANT_SLUG: 'second',
      DATABASE_URL: url.toString(),
      PORT: String(port),
    });
    expect(await second.exited).toBe(1);
    const fatal = second.output().trim().split('\n').map((l) => JSON.parse(l) as { level: string; msg: string }).find((l) => l.level === 'fatal');
    expect(fatal?.msg).toMatch(new RegExp(`^cannot listen on port ${port}: .*EADDRINUSE`));
  });

  it('writes JSON lines with level, time and msg, and exits cleanly on SIGTERM', async () => {
    const lines = app.output().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.msg === 'visit')).toMatchObject({ level: 'info', tenant: 'acme', visits: 1 });
    for (const l of lines) expect(Number.isNaN(Date.parse(String(l.time)))).toBe(false);
    const code = await app.kill('SIGTERM');
    expect(code).toBe(0);
    expect(app.output()).toMatch(/"msg":"stopped"/);
  });
});
