import { ProvisioningRpc } from './provisioning.js';
import type { ServiceName } from './subjects.js';
import { TenantsRpc } from './tenants.js';

/** `rpc.<service>.internal.…`: service-to-service only (decrypted secrets, power actions); never the gateway. */
export function isInternalSubject(subject: string): boolean {
  return subject.split('.')[2] === 'internal';
}

/**
 * Every internal RPC subject and the only services that may call it. The answering service refuses
 * anyone else (RpcServer), and the NATS permissions generated from this map (tools/nats,
 * deploy/nats) refuse the publish itself, so a compromised gateway or service cannot reach a
 * decrypted secret it has no use for. An internal subject missing here is callable by nobody.
 */
export const InternalRpcCallers: Readonly<Record<string, readonly ServiceName[]>> = Object.freeze({
  [TenantsRpc.internalCredentials]: ['provisioning'],
  [ProvisioningRpc.internalTenantData]: ['backups'],
  [ProvisioningRpc.internalInstancePower]: ['backups'],
  [ProvisioningRpc.internalVolumeArchive]: ['backups'],
  [ProvisioningRpc.internalVolumeRestore]: ['backups'],
});

/** Whether `caller` (the `x-rpc-caller` of the request: a service name, `gateway`, or none) may call `subject`. */
export function mayCall(subject: string, caller: string | undefined): boolean {
  if (!isInternalSubject(subject)) return true;
  return caller !== undefined && (InternalRpcCallers[subject] ?? []).includes(caller as ServiceName);
}
