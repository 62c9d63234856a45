import { BlockList, isIP } from 'node:net';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { IdentityRpc } from '@saas/contracts';
import { RpcClient } from '@saas/messaging';
import { GATEWAY_LOGGER } from '../tokens.js';

/**
 * The IP, CIDR and API-key blocks of `security/threats`, as this replica enforces them. Read from
 * identity every `pollMs` (and at once by the replica that carried a change), so every replica
 * enforces a block within about a second. While identity cannot be asked, the last list read stays
 * in force: a block never lapses because a service is down.
 */
@Injectable()
export class SecurityBlocks implements OnModuleInit, OnApplicationShutdown {
  private addresses = new BlockList();
  /** Whether any IP or CIDR block is in force: without one, a request's address is not looked up (issue 9: the lookup was ~1 % of a proxied request's CPU). */
  private anyAddressBlocked = false;
  private apiKeys: ReadonlySet<string> = new Set();
  private expiries: number[] = [];
  private timer?: NodeJS.Timeout;
  readonly pollMs = 1_000;

  constructor(
    private readonly rpc: RpcClient,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    // Not awaited: the gateway starts while identity is still coming up; the first read lands within a poll.
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.pollMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Whether requests from `ip` are refused. */
  blocksAddress(ip: string | undefined): boolean {
    this.expireDue();
    if (!this.anyAddressBlocked) return false;
    const family = ip ? isIP(ip) : 0;
    return family !== 0 && this.addresses.check(ip!, family === 6 ? 'ipv6' : 'ipv4');
  }

  /** Whether requests made with the API key `apiKeyId` are refused. */
  blocksApiKey(apiKeyId: string): boolean {
    this.expireDue();
    return this.apiKeys.has(apiKeyId);
  }

  /** A block that reached its end time lifts at once, not at the next poll. */
  private expireDue(): void {
    if (this.expiries.length > 0 && this.expiries[0]! <= Date.now()) {
      this.expiries.shift();
      void this.refresh();
    }
  }

  async refresh(): Promise<void> {
    try {
      const { blocks } = await this.rpc.call(IdentityRpc.securityBlocksActive, {});
      const now = Date.now();
      const live = blocks.filter((b) => !b.expires_at || Date.parse(b.expires_at) > now);
      const addresses = new BlockList();
      for (const b of live) {
        if (b.target_type === 'ip') addresses.addAddress(b.target, isIP(b.target) === 6 ? 'ipv6' : 'ipv4');
        if (b.target_type === 'cidr') {
          const [address, bits] = b.target.split('/');
          addresses.addSubnet(address!, Number(bits), isIP(address!) === 6 ? 'ipv6' : 'ipv4');
        }
      }
      this.addresses = addresses;
      this.anyAddressBlocked = live.some((b) => b.target_type === 'ip' || b.target_type === 'cidr');
      this.apiKeys = new Set(live.filter((b) => b.target_type === 'api_key').map((b) => b.target));
      this.expiries = live.flatMap((b) => (b.expires_at ? [Date.parse(b.expires_at)] : [])).sort((a, b) => a - b);
    } catch (err) {
      this.logger.debug({ err }, 'could not read the security blocks; the last list read stays in force');
    }
  }
}
