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
    expect(cfg.ADMIN_API_TOKEN).toBeUndefined();
  });

  it('parses the CORS list and booleans, and treats empty variables as unset', () => {
    const cfg = loadConfig('gateway', gatewayConfigSchema, {
      CORS_ORIGINS: 'https://a.test, https://b.test,',
      TRUST_PROXY: 'true',
      PORT: '0',
      PUBLIC_URL: '',
      ADMIN_API_TOKEN: '',
    });
    expect(cfg.CORS_ORIGINS).toEqual(['https://a.test', 'https://b.test']);
    expect(cfg.TRUST_PROXY).toBe(true);
    expect(cfg.PORT).toBe(0);
    expect(cfg.PUBLIC_URL).toBeUndefined();
    expect(cfg.ADMIN_API_TOKEN).toBeUndefined();
  });

  it('refuses a weak admin token and a bad public URL at boot, naming both', () => {
    let thrown: unknown;
    try {
      loadConfig('gateway', gatewayConfigSchema, { ADMIN_API_TOKEN: 'short', PUBLIC_URL: 'not a url' });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const issues = (thrown as ConfigError).issues.join('\n');
    expect(issues).toMatch(/ADMIN_API_TOKEN/);
    expect(issues).toMatch(/PUBLIC_URL/);
  });
});
