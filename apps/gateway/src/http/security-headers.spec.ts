import { describe, expect, it } from '@jest/globals';
import { API_HELMET_OPTIONS, DOCS_HELMET_OPTIONS, securityHeaders } from './security-headers.js';

describe('security headers', () => {
  it('give JSON responses the API set: no framing, no sniffing, HSTS, same-origin resources', () => {
    expect(securityHeaders(API_HELMET_OPTIONS)).toEqual({
      'content-security-policy': "default-src 'none';frame-ancestors 'none'",
      'cross-origin-resource-policy': 'same-origin',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
    });
  });

  it('give the Swagger UI helmet’s full set with a CSP that lets it run', () => {
    const docs = securityHeaders(DOCS_HELMET_OPTIONS);
    expect(docs['content-security-policy']).toContain("script-src 'self'");
    expect(docs['x-xss-protection']).toBe('0');
    expect(Object.keys(docs).length).toBeGreaterThan(10);
  });
});
