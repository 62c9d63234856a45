import { createHash, randomUUID } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import {
  IdentityEventTypes,
  type ActiveBlocks,
  type BlockTargetType,
  type CallerDto,
  type SecurityBlockEventData,
  type SecurityBlockView,
  type ThreatActionRequest,
  type ThreatsResponse,
  type ThreatView,
} from '@saas/contracts';
import { EventOutbox } from '@saas/messaging';
import { Clock } from '@saas/service-kit';
import { SecurityBlock } from './security-block.entity.js';
import { SecurityException } from './security.exception.js';

/** Thresholds of detection, per window. */
const STUFFING_ACCOUNTS = 5;
const SIGNATURE_BURST = 10;
const RATE_LIMIT_STORM = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Threats read from the security events (credential stuffing from one address across accounts,
 * refresh-token reuse, bursts of bad webhook signatures, 429 storms), and the blocks an admin puts
 * on an IP, a CIDR or an API key, which every gateway replica enforces.
 */
@Injectable()
export class ThreatsService {
  constructor(
    private readonly ds: DataSource,
    private readonly outbox: EventOutbox,
    private readonly clock: Clock,
  ) {}

  async list(windowS: number): Promise<ThreatsResponse> {
    const end = this.clock.now();
    const start = new Date(end.getTime() - windowS * 1000);
    const window = `occurred_at > $1 AND occurred_at <= $2`;
    const n = `COALESCE((details->>'count')::int, 1)`;
    const [stuffing, reuse, signatures, storms, blocks] = await Promise.all([
      this.ds.query(
        `SELECT ip, count(*)::int AS n, count(DISTINCT subject)::int AS accounts, min(occurred_at) AS first, max(occurred_at) AS last
           FROM security_events WHERE type = 'login_failed' AND ip IS NOT NULL AND ${window}
          GROUP BY ip HAVING count(DISTINCT subject) >= ${STUFFING_ACCOUNTS}`,
        [start, end],
      ) as Promise<Array<{ ip: string; n: number; accounts: number; first: Date; last: Date }>>,
      this.ds.query(
        `SELECT user_id, ip, count(*)::int AS n, min(occurred_at) AS first, max(occurred_at) AS last
           FROM security_events WHERE type = 'token_reuse_detected' AND ${window} GROUP BY user_id, ip`,
        [start, end],
      ) as Promise<Array<{ user_id: string | null; ip: string | null; n: number; first: Date; last: Date }>>,
      this.ds.query(
        `SELECT subject AS provider, ip, sum(${n})::int AS n, min(occurred_at) AS first, max(occurred_at) AS last
           FROM security_events WHERE type = 'signature_failure' AND ${window}
          GROUP BY subject, ip HAVING sum(${n}) >= ${SIGNATURE_BURST}`,
        [start, end],
      ) as Promise<Array<{ provider: string | null; ip: string | null; n: number; first: Date; last: Date }>>,
      this.ds.query(
        `SELECT subject AS tier, ip, sum(${n})::int AS n, min(occurred_at) AS first, max(occurred_at) AS last
           FROM security_events WHERE type = 'rate_limited' AND ${window}
          GROUP BY subject, ip HAVING sum(${n}) >= ${RATE_LIMIT_STORM}`,
        [start, end],
      ) as Promise<Array<{ tier: string | null; ip: string | null; n: number; first: Date; last: Date }>>,
      this.activeBlocks(end),
    ]);
    const enforced = toBlockList(blocks);
    const ipBlock = (ip: string | null): Pick<ThreatView, 'blocked' | 'suggested_block'> =>
      ip && isIP(ip)
        ? { blocked: enforced.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4'), suggested_block: { target_type: 'ip', target: ip } }
        : { blocked: false, suggested_block: null };
    const threat = (type: ThreatView['type'], source: ThreatView['source'], rest: Omit<ThreatView, 'id' | 'type' | 'source'>): ThreatView => ({
      id: createHash('sha256').update(JSON.stringify([type, source])).digest('hex').slice(0, 16),
      type,
      source,
      ...rest,
    });
    const at = (d: Date) => new Date(d).toISOString();
    const threats: ThreatView[] = [
      ...stuffing.map((r) =>
        threat('credential_stuffing', { ip: r.ip }, {
          severity: r.accounts >= 4 * STUFFING_ACCOUNTS ? 'critical' : 'high',
          summary: `${r.n} failed logins against ${r.accounts} accounts from ${r.ip}`,
          count: r.n,
          first_seen: at(r.first),
          last_seen: at(r.last),
          ...ipBlock(r.ip),
        }),
      ),
      ...reuse.map((r) =>
        threat('token_reuse', { user_id: r.user_id, ip: r.ip }, {
          severity: 'high',
          summary: `a used refresh token was presented again${r.ip ? ` from ${r.ip}` : ''}; the session family was revoked`,
          count: r.n,
          first_seen: at(r.first),
          last_seen: at(r.last),
          ...ipBlock(r.ip),
        }),
      ),
      ...signatures.map((r) =>
        threat('signature_failure_burst', { provider: r.provider, ip: r.ip }, {
          severity: 'medium',
          summary: `${r.n} inbound webhooks with a bad signature${r.provider ? ` for ${r.provider}` : ''}${r.ip ? ` from ${r.ip}` : ''}`,
          count: r.n,
          first_seen: at(r.first),
          last_seen: at(r.last),
          ...ipBlock(r.ip),
        }),
      ),
      ...storms.map((r) =>
        threat('rate_limit_storm', { tier: r.tier, ip: r.ip }, {
          severity: r.n >= 10 * RATE_LIMIT_STORM ? 'high' : 'medium',
          summary: `${r.n} requests refused by the rate limits (tier ${r.tier ?? 'unknown'})${r.ip ? ` from ${r.ip}` : ''}`,
          count: r.n,
          first_seen: at(r.first),
          last_seen: at(r.last),
          ...ipBlock(r.ip),
        }),
      ),
    ].sort((a, b) => b.last_seen.localeCompare(a.last_seen));
    return { window_start: start.toISOString(), window_end: end.toISOString(), threats, blocks: blocks.map(toView) };
  }

  async act(req: ThreatActionRequest): Promise<SecurityBlockView> {
    const target = normaliseTarget(req.target_type, req.target);
    const now = this.clock.now();
    const actorId = req.caller.actor.id ?? null;
    return this.ds.transaction(async (tx) => {
      // One block per target at a time: concurrent blocks of the same target serialise here.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`security-block:${req.target_type}:${target}`]);
      const repo = tx.getRepository(SecurityBlock);
      const current = (await repo.find({ where: { targetType: req.target_type, target, unblockedAt: IsNull() } })).find((b) => !b.expiresAt || b.expiresAt > now);
      if (req.action === 'unblock') {
        if (!current) throw SecurityException.blockNotFound();
        current.unblockedAt = now;
        current.unblockedBy = actorId;
        await repo.save(current);
        await this.announce(tx, IdentityEventTypes.SecurityUnblocked, current, req.caller);
        return toView(current);
      }
      if (!req.reason?.trim()) throw SecurityException.reasonRequired();
      if (req.expires_at && Date.parse(req.expires_at) <= now.getTime()) throw SecurityException.expiresInPast();
      if (current) throw SecurityException.alreadyBlocked();
      const block = repo.create({
        id: randomUUID(),
        targetType: req.target_type,
        target,
        reason: req.reason.trim(),
        blockedBy: actorId,
        createdAt: now,
        expiresAt: req.expires_at ? new Date(req.expires_at) : null,
        unblockedAt: null,
        unblockedBy: null,
      });
      await repo.insert(block);
      await this.announce(tx, IdentityEventTypes.SecurityBlocked, block, req.caller);
      return toView(block);
    });
  }

  /** What every gateway replica enforces. */
  async active(): Promise<ActiveBlocks> {
    const blocks = await this.activeBlocks(this.clock.now());
    return { blocks: blocks.map((b) => ({ target_type: b.targetType, target: b.target, expires_at: b.expiresAt?.toISOString() ?? null })) };
  }

  private async activeBlocks(now: Date): Promise<SecurityBlock[]> {
    return this.ds
      .getRepository(SecurityBlock)
      .createQueryBuilder('b')
      .where('b.unblocked_at IS NULL')
      .andWhere('(b.expires_at IS NULL OR b.expires_at > :now)', { now })
      .orderBy('b.created_at', 'DESC')
      .limit(10_000)
      .getMany();
  }

  private async announce(tx: import('typeorm').EntityManager, type: string, block: SecurityBlock, caller: CallerDto): Promise<void> {
    const data: SecurityBlockEventData = {
      block_id: block.id,
      target_type: block.targetType,
      target: block.target,
      reason: block.reason,
      expires_at: block.expiresAt?.toISOString() ?? null,
    };
    await this.outbox.add(tx, { type, data, actor: { type: 'user', id: caller.actor.id ?? null, ip: caller.actor.ip ?? null, user_agent: caller.actor.user_agent ?? null } });
  }
}

/** An address as Node prints it, `address/prefix` with the host bits as given, or an API key id (lower case). */
export function normaliseTarget(type: BlockTargetType, raw: string): string {
  const value = raw.trim();
  switch (type) {
    case 'ip': {
      if (!isIP(value)) throw SecurityException.invalidTarget('target must be an IPv4 or IPv6 address');
      return value.toLowerCase();
    }
    case 'cidr': {
      const [address, bits, ...rest] = value.split('/');
      const family = address ? isIP(address) : 0;
      const prefix = Number(bits);
      if (!family || rest.length > 0 || bits === undefined || !/^\d{1,3}$/.test(bits) || prefix > (family === 4 ? 32 : 128)) {
        throw SecurityException.invalidTarget('target must be a CIDR such as 203.0.113.0/24 or 2001:db8::/32');
      }
      return `${address!.toLowerCase()}/${prefix}`;
    }
    case 'api_key': {
      if (!UUID.test(value)) throw SecurityException.invalidTarget("target must be the API key's id (a UUID)");
      return value.toLowerCase();
    }
  }
}

/** Blocks of addresses and ranges as a node:net BlockList (what the gateway checks requests against). */
export function toBlockList(blocks: ReadonlyArray<{ targetType?: BlockTargetType; target_type?: BlockTargetType; target: string }>): BlockList {
  const list = new BlockList();
  for (const b of blocks) {
    const type = b.targetType ?? b.target_type;
    if (type === 'ip') list.addAddress(b.target, isIP(b.target) === 6 ? 'ipv6' : 'ipv4');
    if (type === 'cidr') {
      const [address, bits] = b.target.split('/');
      list.addSubnet(address!, Number(bits), isIP(address!) === 6 ? 'ipv6' : 'ipv4');
    }
  }
  return list;
}

function toView(b: SecurityBlock): SecurityBlockView {
  return {
    id: b.id,
    target_type: b.targetType,
    target: b.target,
    reason: b.reason,
    blocked_by: b.blockedBy,
    created_at: b.createdAt.toISOString(),
    expires_at: b.expiresAt?.toISOString() ?? null,
    unblocked_at: b.unblockedAt?.toISOString() ?? null,
    unblocked_by: b.unblockedBy,
  };
}
