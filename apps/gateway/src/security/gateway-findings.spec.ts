import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '@saas/config';
import { gatewayConfigSchema } from '../config.js';
import { gatewayFindings } from './gateway-findings.js';

const codes = (env: Record<string, string>) => gatewayFindings(loadConfig('gateway', gatewayConfigSchema, env)).map((f) => `${f.code}:${f.severity}`);

describe("the gateway's security findings", () => {
  it('flag CORS *, plain HTTP, disabled limits and per-replica counters, with severities by mode', () => {
    expect(codes({ NODE_ENV: 'production', CORS_ORIGINS: '*', RATE_LIMITS: 'anonymous:5000000' }).sort()).toEqual(
      ['CORS_ANY_ORIGIN:high', 'HTTPS_OFF:high', 'RATE_LIMITS_DISABLED:high', 'RATE_LIMITS_PER_REPLICA:low'].sort(),
    );
    expect(codes({ NODE_ENV: 'development' })).toEqual(['HTTPS_OFF:low']);
    expect(codes({ NODE_ENV: 'production', PUBLIC_URL: 'https://api.example.com', REDIS_URL: 'redis://cache:6379', RATE_LIMITS: 'standard:2000000' })).toEqual([
      'RATE_LIMITS_DISABLED:medium',
    ]);
  });
});
