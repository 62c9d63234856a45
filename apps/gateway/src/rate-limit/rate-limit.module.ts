import { Global, Module } from '@nestjs/common';
import { RateLimitService } from './rate-limit.service.js';
import { RateLimitRejectionReporter } from './rejection-reporter.js';

/** Tiered and per-account rate limits (wired into Fastify by the HTTP pipeline). */
@Global()
@Module({ providers: [RateLimitService, RateLimitRejectionReporter], exports: [RateLimitService, RateLimitRejectionReporter] })
export class RateLimitModule {}
