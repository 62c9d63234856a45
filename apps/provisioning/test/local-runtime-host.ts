/**
 * A stand-in for the provisioning service in crash tests: runs one LocalRuntime and asks it for
 * one instance, printing each step, so a test can SIGKILL it at a chosen step and check that a
 * fresh runtime converges on exactly one instance. Input: LOCAL_RUNTIME_HOST_INPUT (JSON).
 */
import { pino } from 'pino';
import { LocalRuntime, type LocalRuntimeOptions } from '../src/runtime/local/local-runtime.js';
import type { TenantSpec } from '../src/runtime/tenant-runtime.js';
import type { TenantDatabaseInfo } from '../src/tenant-database/tenant-database.types.js';

const input = JSON.parse(process.env.LOCAL_RUNTIME_HOST_INPUT ?? '{}') as { options: LocalRuntimeOptions; spec: TenantSpec; db: TenantDatabaseInfo };
const runtime = new LocalRuntime(input.options, { logger: pino({ level: 'silent' }) });
await runtime.init();
const info = await runtime.ensureInstance(input.spec, input.db, (step) => process.stdout.write(`STEP ${step}\n`));
process.stdout.write(`READY ${info.endpoint.kind === 'local' ? info.endpoint.pid : ''}\n`);
setInterval(() => undefined, 60_000);
