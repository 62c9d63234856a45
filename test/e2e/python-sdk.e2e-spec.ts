import 'reflect-metadata';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { REPO_ROOT, TestPlatform } from '@saas/testing';

/** The Python SDK (sdk/python, standard library only) run against the real platform. */
describe('the Python SDK against the platform (e2e)', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await TestPlatform.start('python_sdk_e2e', { services: ['identity', 'tenants', 'provisioning', 'backups'], env: { BACKUP_POLL_MS: '100' } });
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
  }, 120_000);

  it('passes its smoke test: login, shared refresh, tenants, waiting, pagination, idempotency, errors, API keys', async () => {
    const result = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        'python3',
        [path.join(REPO_ROOT, 'sdk/python/tests/smoke_test.py')],
        { env: { PATH: process.env.PATH ?? '', SAAS_URL: platform.baseUrl, SAAS_ADMIN_EMAIL: platform.admin.email, SAAS_ADMIN_PASSWORD: platform.admin.password }, timeout: 240_000 },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` }),
      );
    });
    process.stdout.write(result.output);
    expect(result.output).toMatch(/Ran 3 tests/);
    expect(result).toMatchObject({ code: 0 });
  }, 300_000);
});
