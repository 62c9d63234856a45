import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Subscription } from '@nats-io/transport-node';
import { EventTypes, TenantsRpc } from '@saas/contracts';
import { SubjectNaming } from '@saas/messaging';
import { processesWithArgument, publishEvent, readEvents, startService, TestEnv, waitFor, type ManagedProcess } from '@saas/testing';

/**
 * Transient is not failure (issue 15): the provisioning job's RPC to the tenants service timing out
 * (as it does while NATS restarts) used to fail the job — `credentials: The tenants service did not
 * answer within … ms.` — and the tenant ended in `error` for good. Now the job goes back in the
 * queue with a backoff and succeeds once tenants answers.
 */
const runId = randomBytes(3).toString('hex');
const portBase = 20_000 + Math.floor(Math.random() * 120) * 100;

describe('a provisioning job whose RPC to tenants times out', () => {
  let env: TestEnv;
  let runtimeDir: string;
  let provisioning: ManagedProcess | undefined;
  let fakeTenants: Subscription | undefined;
  const tenantId = randomUUID();
  const slug = `blip-${runId}`;

  beforeAll(async () => {
    env = await TestEnv.create('transient');
    runtimeDir = mkdtempSync(path.join(tmpdir(), `transient-${runId}-`));
  }, 60_000);

  afterAll(async () => {
    fakeTenants?.unsubscribe();
    await provisioning?.kill('SIGTERM');
    for (const pid of processesWithArgument(`--saas-tenant=${tenantId}`)) process.kill(pid, 'SIGKILL');
    const c = await env.pg();
    await c.query(`DROP DATABASE IF EXISTS "t_shared_${runId}" WITH (FORCE)`).catch(() => undefined);
    const role = `tenant_${slug.replace(/-/g, '_')}`;
    await c.query(`DROP ROLE IF EXISTS "${role}"`).catch(() => undefined);
    await c.end();
    rmSync(runtimeDir, { recursive: true, force: true });
    await env.cleanup();
  }, 60_000);

  it('is retried with backoff and succeeds; no provisioning.failed, the blips counted on the job', async () => {
    // Stands in for the tenants service: the first two credential requests go unanswered (a
    // timeout, as during a NATS restart), the third is answered.
    const nc = await env.nats();
    let requests = 0;
    fakeTenants = nc.subscribe(new SubjectNaming(env.prefix).subject(TenantsRpc.internalCredentials), {
      callback: (_err, msg) => {
        requests++;
        if (requests <= 2) return;
        const packet = msg.json<{ id: string }>();
        msg.respond(JSON.stringify({ id: packet.id, response: { admin_password: null }, isDisposed: true }));
      },
    });
    provisioning = await startService(
      'provisioning',
      env.env({
        RPC_TIMEOUT_MS: '300',
        PROVISIONING_RETRY_BACKOFF_MS: '100',
        PROVISIONING_POLL_MS: '200',
        PROVISIONING_JOB_LEASE_MS: '3000',
        LOCAL_RUNTIME_DIR: runtimeDir,
        LOCAL_PORT_RANGE: `${portBase}-${portBase + 99}`,
        SHARED_TENANT_DATABASE: `t_shared_${runId}`,
        LOCAL_START_TIMEOUT_MS: '15000',
      }),
    );
    const operationId = randomUUID();
    await publishEvent(nc, env.prefix, {
      type: EventTypes.TenantCreated,
      tenantId,
      data: { tenant_id: tenantId, slug, name: 'Blip', plan: 'standard', database_strategy: 'shared', status: 'pending', owner_id: randomUUID(), operation_id: operationId },
    });

    const outcome = await waitFor(
      async () => (await readEvents(nc, env.prefix, [EventTypes.ProvisioningSucceeded, EventTypes.ProvisioningFailed])).find((e) => e.tenant_id === tenantId),
      'the job to end',
      45_000,
      200,
    );
    expect(outcome.type).toBe(EventTypes.ProvisioningSucceeded);
    expect(requests).toBe(3);
    const c = await env.pg();
    try {
      const { rows } = await c.query(`SELECT status, attempts, transient_failures, last_error FROM provisioning.provisioning_jobs WHERE id = $1`, [operationId]);
      expect(rows[0]).toMatchObject({ status: 'succeeded', attempts: 1, transient_failures: 2, last_error: null });
    } finally {
      await c.end();
    }
    expect(provisioning.output()).toMatch(/provisioning job hit a transient failure; will retry/);
  }, 90_000);
});
