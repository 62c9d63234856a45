import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '@saas/config';
import { identityConfigSchema } from './config.js';

describe('identity config', () => {
  it('has the documented defaults', () => {
    const c = loadConfig('identity', identityConfigSchema, {});
    expect(c).toMatchObject({ ACCESS_TOKEN_TTL_S: 900, REFRESH_TOKEN_TTL_S: 2_592_000, JWT_ISSUER: 'saas-control-plane', JWT_AUDIENCE: 'saas-control-plane-api', KEY_ROTATION_DAYS: 30, MAIL_LOG_DIR: '.platform/mail' });
    expect(c.KEY_ENCRYPTION_SECRET).toBeUndefined();
  });

  it('refuses to boot in production without KEY_ENCRYPTION_SECRET', () => {
    expect(() => loadConfig('identity', identityConfigSchema, { NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig('identity', identityConfigSchema, { NODE_ENV: 'production' })).toThrow(/KEY_ENCRYPTION_SECRET/);
    expect(loadConfig('identity', identityConfigSchema, { NODE_ENV: 'production', KEY_ENCRYPTION_SECRET: 'x'.repeat(32) }).NODE_ENV).toBe('production');
  });
});
