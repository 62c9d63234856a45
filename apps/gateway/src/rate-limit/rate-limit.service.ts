import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { RATE_LIMIT_TIERS, type GatewayConfig, type RateLimitTier } from '../config.js';
import { GATEWAY_CONFIG, GATEWAY_LOGGER } from '../tokens.js';

export type RateLimitSettings = Pick<
  GatewayConfig,
  | 'RATE_LIMITS'
  | 'TENANT_RATE_LIMITS'
  | 'RATE_LIMIT_WINDOW_S'
  | 'RATE_LIMIT_BURST_WINDOW_S'
  | 'RATE_LIMIT_BURST_RATIO'
  | 'LOGIN_RATE_LIMIT'
  | 'LOGIN_ACCOUNT_RATE_LIMIT'
  | 'PASSWORD_RESET_RATE_LIMIT'
  | 'REDIS_URL'
  | 'SUBJECT_PREFIX'
>;

const REDIS_READY_TIMEOUT_MS = 2_000;

/** One policy as the headers announce it. */
export interface PolicyInfo {
  /** Policy name in the IETF fields (`"standard"`, `"standard-burst"`, `"login"`). */
  readonly name: string;
  readonly limit: number;
  readonly windowS: number;
}

/** Outcome of one request against a policy (the one the headers should describe). */
export interface RateDecision {
  allowed: boolean;
  policy: PolicyInfo;
  remaining: number;
  /** Seconds until the window resets. */
  resetS: number;
  /** The precomputed RateLimit-Policy value of the tier. */
  policyHeader: string;
}

/** The per-account limits of API.md ("login and password reset have their own stricter limits"). */
export type AccountLimit = 'login' | 'login-account' | 'password';

interface Limiter {
  readonly policy: PolicyInfo;
  readonly limiter: RateLimiterAbstract;
}

interface TierLimiters {
  readonly window: Limiter;
  readonly burst: Limiter;
  readonly policyHeader: string;
}

/**
 * The gateway's counters (rate-limiter-flexible), fixed windows keyed by caller:
 *
 * - Per tier, two limiters: the window quota of API.md (RATE_LIMITS per RATE_LIMIT_WINDOW_S) and a
 *   burst allowance — at most RATE_LIMIT_BURST_RATIO of it within RATE_LIMIT_BURST_WINDOW_S — so a
 *   client cannot spend its whole hour in one second. A request must pass both; a request refused
 *   by the burst limiter does not use window quota.
 * - Per account, for login and password reset (keys built by the caller: normalised email, …).
 *
 * In memory by default; in Redis when REDIS_URL is set, so every replica shares the counts, with an
 * in-memory insurance limiter taking over while Redis is unreachable, and an in-memory block of keys
 * that are over their limit (a noisy caller's further requests never reach Redis). Keys are prefixed
 * with SUBJECT_PREFIX, so platforms (and test runs) sharing one Redis never mix their counters.
 */
@Injectable()
export class RateLimitService implements OnModuleInit, OnApplicationShutdown {
  private readonly tiers: Record<RateLimitTier, TierLimiters>;
  private readonly accounts: Record<AccountLimit, Limiter>;
  private readonly tenantPlans: Record<string, { limiter: Limiter; policyHeader: string }> = {};
  private readonly redis?: Redis;

  constructor(
    @Inject(GATEWAY_CONFIG) config: RateLimitSettings,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
  ) {
    if (config.REDIS_URL) {
      this.redis = new Redis(config.REDIS_URL, {
        // Fail fast while Redis is down (the insurance limiter answers) instead of queueing.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: 2_000,
        lazyConnect: false,
      });
      this.redis.on('error', (err: Error) => this.logger.warn({ err: { message: err.message } }, 'Redis (rate limits) unavailable; counting in memory meanwhile'));
    }
    const prefix = `${config.SUBJECT_PREFIX}ratelimit`;
    const make = (name: string, limit: number, windowS: number): Limiter => ({
      policy: Object.freeze({ name, limit, windowS }),
      limiter: this.limiter(`${prefix}:${name}`, limit, windowS),
    });
    this.tiers = {} as Record<RateLimitTier, TierLimiters>;
    for (const tier of RATE_LIMIT_TIERS) {
      const limit = config.RATE_LIMITS[tier];
      const burstLimit = Math.max(1, Math.ceil(limit * config.RATE_LIMIT_BURST_RATIO));
      const window = make(tier, limit, config.RATE_LIMIT_WINDOW_S);
      const burst = make(`${tier}-burst`, burstLimit, config.RATE_LIMIT_BURST_WINDOW_S);
      this.tiers[tier] = { window, burst, policyHeader: `${policyItem(window.policy)}, ${policyItem(burst.policy)}` };
    }
    for (const [plan, limit] of Object.entries(config.TENANT_RATE_LIMITS)) {
      const window = make(`tenant-${plan}`, limit, config.RATE_LIMIT_WINDOW_S);
      this.tenantPlans[plan] = { limiter: window, policyHeader: policyItem(window.policy) };
    }
    this.accounts = {
      login: make('login', config.LOGIN_RATE_LIMIT.points, config.LOGIN_RATE_LIMIT.durationS),
      'login-account': make('login-account', config.LOGIN_ACCOUNT_RATE_LIMIT.points, config.LOGIN_ACCOUNT_RATE_LIMIT.durationS),
      password: make('password', config.PASSWORD_RESET_RATE_LIMIT.points, config.PASSWORD_RESET_RATE_LIMIT.durationS),
    };
  }

  /** Waits (a little) for Redis, so that the first requests already count there rather than in the insurance. */
  async onModuleInit(): Promise<void> {
    await this.ready(REDIS_READY_TIMEOUT_MS);
  }

  /** Resolves when Redis is connected, or after `timeoutMs` (the insurance limiter covers the gap). */
  async ready(timeoutMs: number): Promise<boolean> {
    const redis = this.redis;
    if (!redis) return true;
    if (redis.status === 'ready') return true;
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        redis.off('ready', onReady);
        resolve(ok);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => {
        this.logger.warn({ timeout_ms: timeoutMs }, 'Redis (rate limits) not ready; counting in memory until it is');
        done(false);
      }, timeoutMs);
      redis.once('ready', onReady);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.redis) await this.redis.quit().catch(() => this.redis?.disconnect());
  }

  get store(): 'memory' | 'redis' {
    return this.redis ? 'redis' : 'memory';
  }

  /** Counts one request of `key` (e.g. a user id or a client IP) in its tier. */
  consume(tier: RateLimitTier, key: string): Promise<RateDecision> {
    const limiters = this.tiers[tier];
    return take(limiters.burst, key, limiters.policyHeader).then((burst) => (burst.allowed ? take(limiters.window, key, limiters.policyHeader) : burst));
  }

  /** Counts one request against a tenant's quota (all its users together), by its plan; null when the plan has none. */
  consumeTenant(plan: string, tenantId: string): Promise<RateDecision> | null {
    const quota = this.tenantPlans[plan];
    return quota ? take(quota.limiter, tenantId, quota.policyHeader) : null;
  }

  /** Counts one attempt against a per-account limit. */
  consumeAccount(kind: AccountLimit, key: string): Promise<RateDecision> {
    const limiter = this.accounts[kind];
    return take(limiter, key, policyItem(limiter.policy));
  }

  private limiter(keyPrefix: string, points: number, duration: number): RateLimiterAbstract {
    const memory = new RateLimiterMemory({ keyPrefix, points, duration });
    if (!this.redis) return memory;
    return new RateLimiterRedis({
      storeClient: this.redis,
      keyPrefix,
      points,
      duration,
      rejectIfRedisNotReady: true,
      insuranceLimiter: memory,
      // Over the limit → blocked in this process until the window ends, without asking Redis again.
      inMemoryBlockOnConsumed: points + 1,
    });
  }
}

/** An RFC 8941 Item of RateLimit-Policy (draft-ietf-httpapi-ratelimit-headers-10). */
export function policyItem(policy: PolicyInfo): string {
  return `"${policy.name}";q=${policy.limit};w=${policy.windowS}`;
}

function decision(allowed: boolean, limiter: Limiter, res: RateLimiterRes, policyHeader: string): RateDecision {
  return {
    allowed,
    policy: limiter.policy,
    remaining: Math.max(0, res.remainingPoints),
    resetS: Math.max(0, Math.ceil(res.msBeforeNext / 1000)),
    policyHeader,
  };
}

function take(limiter: Limiter, key: string, policyHeader: string): Promise<RateDecision> {
  return limiter.limiter.consume(key, 1).then(
    (res) => decision(true, limiter, res, policyHeader),
    (err: unknown) => {
      if (err instanceof RateLimiterRes) return decision(false, limiter, err, policyHeader);
      throw err;
    },
  );
}
