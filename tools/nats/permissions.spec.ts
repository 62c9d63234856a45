import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import * as contracts from '@saas/contracts';
import { InternalRpcCallers, isInternalSubject, mayCall, ServiceNames } from '@saas/contracts';
import { REPO_ROOT } from '@saas/testing';
import { AUTHORIZATION_FILES } from './generate.js';
import { natsAuthorizationConf, natsPermissions } from './permissions.js';

/** Every RPC subject constant of libs/contracts (the `…Rpc` maps). */
function rpcSubjects(): string[] {
  return Object.entries(contracts)
    .filter(([name, value]) => name.endsWith('Rpc') && value && typeof value === 'object')
    .flatMap(([, value]) => Object.values(value as Record<string, unknown>))
    .filter((v): v is string => typeof v === 'string' && v.startsWith('rpc.'));
}

describe('NATS permissions from the contracts', () => {
  it('name the allowed callers of every internal subject the contracts define', () => {
    const internal = rpcSubjects().filter(isInternalSubject);
    expect(internal.length).toBeGreaterThanOrEqual(3);
    expect(internal.filter((s) => !(s in InternalRpcCallers))).toEqual([]);
    for (const s of internal) {
      expect(mayCall(s, 'gateway')).toBe(false);
      expect(mayCall(s, undefined)).toBe(false);
    }
    expect(mayCall(contracts.TenantsRpc.internalCredentials, 'provisioning')).toBe(true);
    expect(mayCall(contracts.TenantsRpc.get, 'gateway')).toBe(true);
  });

  it('deny the gateway internal subjects, events and answering RPCs; a service other services\' RPCs', () => {
    const gw = natsPermissions('gateway', 't_x.');
    expect(gw.publish.deny).toEqual(expect.arrayContaining(['t_x.rpc.*.internal.>', 't_x.events.>', '$JS.API.STREAM.DELETE.t_x_EVENTS']));
    expect(gw.subscribe.deny).toEqual(expect.arrayContaining(['t_x.rpc.>']));
    const provisioning = natsPermissions('provisioning');
    expect(provisioning.publish.deny).not.toContain(contracts.TenantsRpc.internalCredentials);
    expect(provisioning.publish.deny).toContain(contracts.ProvisioningRpc.internalTenantData);
    expect(provisioning.subscribe.deny).toEqual(ServiceNames.filter((s) => s !== 'provisioning').map((s) => `rpc.${s}.>`));
  });

  it('are what compose and the Helm chart ship (regenerate with `node dist/tools/nats/generate.js`)', () => {
    for (const file of AUTHORIZATION_FILES) expect(readFileSync(path.join(REPO_ROOT, file), 'utf8')).toBe(natsAuthorizationConf());
  });
});
