import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '@saas/config';
import { gatewayConfigSchema } from './config.js';

describe('gateway config', () => {
  it('has the documented defaults', () => {
    const cfg = loadConfig('gateway', gatewayConfigSchema, {});
    expect(cfg).toMatchObject({
      PORT: 3000,
      HOST: '0.0.0.0',
      CORS_ORIGINS: [],
      BODY_LIMIT_BYTES: 1_048_576,
      TRUST_PROXY: false,
      HEALTH_RPC_TIMEOUT_MS: 1_500,
    });
    expect(cfg.PUBLIC_URL).toBeUndefined();
    expect(cfg.REDIS_URL).toBeUndefined();
    expect(cfg.RATE_LIMITS).toEqual({ anonymous: 100, standard: 1000, premium: 5000, enterprise: 10000, admin: 50000, infra: 100000 });
    expect(cfg).toMatchObject({ RATE_LIMIT_WINDOW_S: 3600, JWT_CLOCK_TOLERANCE_S: 30, LOGIN_RATE_LIMIT: { points: 10, durationS: 900 } });
  });

  it('parses the CORS list and booleans, and treats empty variables as unset', () => {
    const cfg = loadConfig('gateway', gatewayConfigSchema, {
      CORS_ORIGINS: 'https://a.test, https://b.test,',
      TRUST_PROXY: 'true',
      PORT: '0',
      PUBLIC_URL: '',
      REDIS_URL: '',
      RATE_LIMITS: 'anonymous:5, admin:7',
    });
    expect(cfg.CORS_ORIGINS).toEqual(['https://a.test', 'https://b.test']);
    expect(cfg.TRUST_PROXY).toBe(true);
    expect(cfg.PORT).toBe(0);
    expect(cfg.PUBLIC_URL).toBeUndefined();
    expect(cfg.REDIS_URL).toBeUndefined();
    expect(cfg.RATE_LIMITS).toEqual({ anonymous: 5, standard: 1000, premium: 5000, enterprise: 10000, admin: 7, infra: 100000 });
  });

  it('refuses bad rate limits, a clock tolerance over a minute and a bad public URL at boot, naming each', () => {
    let thrown: unknown;
    try {
      loadConfig('gateway', gatewayConfigSchema, { RATE_LIMITS: 'gold:5', JWT_CLOCK_TOLERANCE_S: '300', LOGIN_RATE_LIMIT: '10', PUBLIC_URL: 'not a url' });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const issues = (thrown as ConfigError).issues.join('\n');
    expect(issues).toMatch(/RATE_LIMITS/);
    expect(issues).toMatch(/JWT_CLOCK_TOLERANCE_S/);
    expect(issues).toMatch(/LOGIN_RATE_LIMIT/);
    expect(issues).toMatch(/PUBLIC_URL/);
  });
});
