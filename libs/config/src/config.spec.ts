import { describe, expect, it } from '@jest/globals';
import { baseConfigSchema, ConfigError, loadConfig, z } from './config.js';

describe('loadConfig', () => {
  it('applies defaults and coerces numbers and booleans', () => {
    const cfg = loadConfig('svc', baseConfigSchema, { RPC_TIMEOUT_MS: '250', RUN_MIGRATIONS: 'false' });
    expect(cfg.RPC_TIMEOUT_MS).toBe(250);
    expect(cfg.RUN_MIGRATIONS).toBe(false);
    expect(cfg.SUBJECT_PREFIX).toBe('');
  });

  it('names every bad variable at once', () => {
    const schema = baseConfigSchema.extend({ PORT: z.coerce.number().int().max(65535) });
    let thrown: unknown;
    try {
      loadConfig('gateway', schema, { PORT: '99999', DATABASE_URL: 'not a url', SUBJECT_PREFIX: 'a.b.' });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const issues = (thrown as ConfigError).issues.join('\n');
    expect(issues).toMatch(/PORT/);
    expect(issues).toMatch(/DATABASE_URL/);
    expect(issues).toMatch(/SUBJECT_PREFIX/);
  });
});
