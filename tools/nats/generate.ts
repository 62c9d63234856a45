import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { natsAuthorizationConf } from './permissions.js';

/** Writes the NATS authorization of the platform (no subject prefix) where compose and the chart read it. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const AUTHORIZATION_FILES = ['deploy/nats/authorization.conf', 'deploy/helm/saas-control-plane/files/nats-authorization.conf'];

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const file of AUTHORIZATION_FILES) writeFileSync(path.join(ROOT, file), natsAuthorizationConf());
  process.stdout.write(`wrote ${AUTHORIZATION_FILES.join(', ')}\n`);
}
