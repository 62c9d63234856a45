import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { BackupsRpc, BillingRpc, IdentityRpc, IntegrationsRpc, ProvisioningRpc, TenantsRpc, WebhooksRpc } from './index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const TEST_FILE = /\.(spec|int-spec|e2e-spec|faults-spec|fuzz-spec)\.ts$/;

function* sources(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', 'dist', 'test'].includes(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(full);
    else if (entry.name.endsWith('.ts') && !TEST_FILE.test(entry.name)) yield full;
  }
}

const serviceSources = [...sources(path.join(ROOT, 'apps'))].map((file) => ({ file: path.relative(ROOT, file), code: readFileSync(file, 'utf8') }));
const catalogues = { IdentityRpc, TenantsRpc, ProvisioningRpc, BackupsRpc, BillingRpc, WebhooksRpc, IntegrationsRpc };

/**
 * Issue 8: one typed RPC contract (rpc-contract.ts). The compiler holds callers (`RpcClient.call`)
 * and handlers (`@RpcHandler`) to it; these checks keep anyone from stepping around it.
 */
describe('the RPC contract', () => {
  it('every handler of the services is an @RpcHandler (held to the contract), not a bare @MessagePattern', () => {
    const bare = serviceSources.filter((s) => s.code.includes('@MessagePattern(')).map((s) => s.file);
    expect(bare).toEqual([]);
  });

  it('every subject of the catalogues is answered by some service', () => {
    const handled = serviceSources.map((s) => s.code).join('\n');
    const unanswered = Object.entries(catalogues).flatMap(([name, subjects]) =>
      Object.keys(subjects).filter((key) => !handled.includes(`@RpcHandler(${name}.${key})`)).map((key) => `${name}.${key}`),
    );
    expect(unanswered).toEqual([]);
  });

  it('no service calls outside the contract (callRaw is for specs and tools)', () => {
    expect(serviceSources.filter((s) => /\.callRaw\(/.test(s.code)).map((s) => s.file)).toEqual([]);
  });
});
