import { Global, Module } from '@nestjs/common';
import { RateLimitService } from './rate-limit.service.js';
import { RateLimitRejectionReporter } from './rejection-reporter.js';
import { TenantPlanCache } from './tenant-plans.js';

/** Tiered and per-account rate limits (wired into Fastify by the HTTP pipeline). */
@Global()
@Module({ providers: [RateLimitService, RateLimitRejectionReporter, TenantPlanCache], exports: [RateLimitService, RateLimitRejectionReporter, TenantPlanCache] })
export class RateLimitModule {}
