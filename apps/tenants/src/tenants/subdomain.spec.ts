import { describe, expect, it } from '@jest/globals';
import { subdomainFromName, validateSubdomain } from './subdomain.js';

describe('subdomains', () => {
  it('accepts DNS labels', () => {
    expect(validateSubdomain('acme-corp')).toBe('acme-corp');
    expect(validateSubdomain('a1b')).toBe('a1b');
  });

  it.each(['www', 'api', 'admin'])('refuses the reserved word %s', (s) => {
    expect(() => validateSubdomain(s)).toThrow(/reserved/);
  });

  it.each(['Acme', 'ab', '-acme', 'acme-', 'ac_me', 'a'.repeat(64), 'acme..x', 'ac--me'])('refuses %s with INVALID_SUBDOMAIN', (s) => {
    try {
      validateSubdomain(s);
      throw new Error('accepted');
    } catch (e) {
      expect((e as { code?: string }).code).toBe('INVALID_SUBDOMAIN');
    }
  });

  it('derives a label from a name', () => {
    expect(subdomainFromName('Acme Corporation')).toBe('acme-corporation');
    expect(subdomainFromName('Café Zürich!')).toBe('cafe-zurich');
    expect(subdomainFromName('X')).toBe('tenant-x');
    expect(validateSubdomain(subdomainFromName('  Tech Startup Inc. '))).toBe('tech-startup-inc');
  });
});
