import { BlockList, isIP } from 'node:net';
import { embeddedIpv4 } from '../ssrf/address-policy.js';

/** Whether `ip` is in any of `entries` (addresses or CIDR blocks, IPv4 or IPv6); an empty list allows all. */
export function ipAllowed(entries: readonly string[], ip: string): boolean {
  if (entries.length === 0) return true;
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split('/') as [string, string | undefined];
    const family = isIP(address);
    if (!family) continue;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  const v4 = isIP(ip) === 6 ? embeddedIpv4(ip) : null;
  const candidate = v4 ?? ip;
  const family = isIP(candidate);
  if (!family) return false;
  return list.check(candidate, family === 4 ? 'ipv4' : 'ipv6');
}

/** An allow-list entry is an IP address or CIDR block. */
export function isAllowListEntry(entry: string): boolean {
  const [address, prefix] = entry.split('/') as [string, string | undefined];
  const family = isIP(address);
  if (!family) return false;
  if (prefix === undefined) return true;
  const n = Number(prefix);
  return /^\d+$/.test(prefix) && n >= 0 && n <= (family === 4 ? 32 : 128);
}
