import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { RefusedAddressError, refusedCategory } from './address-policy.js';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http(s) agents that refuses names resolving to a refused address. It runs at
 * connect time, on every connection, so a name that resolved to a public address at registration
 * and to 127.0.0.1 now (DNS rebinding) fails here. Every address of the name must be allowed, not
 * just the first: Happy Eyeballs may connect to any of them.
 */
export function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const list = addresses as LookupAddress[];
    for (const a of list) {
      const category = refusedCategory(a.address);
      if (category) return callback(new RefusedAddressError(hostname, a.address, category) as unknown as NodeJS.ErrnoException, []);
    }
    if (options.all) return callback(null, list);
    const first = list[0];
    if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
    callback(null, first.address, first.family);
  });
}

/** Every address `hostname` resolves to (for the registration check). */
export function resolveAll(hostname: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => dnsLookup(hostname, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));
}
