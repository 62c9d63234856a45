import { describe, expect, it } from '@jest/globals';
import type { ExecutionContext } from '@nestjs/common';
import { DomainException } from '@saas/errors';
import { AdminTokenGuard, tokenMatches } from './admin-token.guard.js';

const TOKEN = 'admin-token-0123456789';

function context(route: string, authorization?: string): { ctx: ExecutionContext; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  const request = { url: route, routeOptions: { url: route }, headers: authorization ? { authorization } : {} };
  const reply = { header: (k: string, v: string) => (headers[k] = v) };
  const ctx = {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
  } as unknown as ExecutionContext;
  return { ctx, headers };
}

function rejection(fn: () => unknown): DomainException {
  try {
    fn();
  } catch (err) {
    return err as DomainException;
  }
  throw new Error('expected the guard to refuse');
}

describe('AdminTokenGuard', () => {
  const guard = new AdminTokenGuard({ ADMIN_API_TOKEN: TOKEN });

  it('lets non-admin routes through without a token', () => {
    expect(guard.canActivate(context('/health').ctx)).toBe(true);
    expect(guard.canActivate(context('/api/v1/administrators').ctx)).toBe(true);
  });

  it('accepts the configured bearer token on admin routes', () => {
    expect(guard.canActivate(context('/api/v1/admin/dead-letters', `Bearer ${TOKEN}`).ctx)).toBe(true);
    expect(guard.canActivate(context('/api/v1/admin/dead-letters', `bearer ${TOKEN}`).ctx)).toBe(true);
  });

  it.each([
    ['no header', undefined],
    ['a wrong token', 'Bearer admin-token-0123456780'],
    ['a prefix of the token', `Bearer ${TOKEN.slice(0, -1)}`],
    ['another scheme', `Basic ${TOKEN}`],
  ])('answers 401 UNAUTHORIZED with WWW-Authenticate for %s', (_why, authorization) => {
    const { ctx, headers } = context('/api/v1/admin/dead-letters/:service/:id/replay', authorization);
    const err = rejection(() => guard.canActivate(ctx));
    expect(err).toBeInstanceOf(DomainException);
    expect(err).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    expect(headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it('never opens admin routes when no token is configured', () => {
    const open = new AdminTokenGuard({ ADMIN_API_TOKEN: undefined });
    const err = rejection(() => open.canActivate(context('/api/v1/admin/dead-letters', 'Bearer ').ctx));
    expect(err).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    expect(err.message).toMatch(/no admin token is configured/);
  });

  it('compares tokens of any length', () => {
    expect(tokenMatches('a', 'a')).toBe(true);
    expect(tokenMatches('a', 'ab')).toBe(false);
  });
});
