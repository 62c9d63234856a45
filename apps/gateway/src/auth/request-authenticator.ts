import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { looksLikeApiKey } from '@saas/auth';
import { AccessTokenVerifier } from './access-token.verifier.js';
import { ApiKeyVerifier } from './api-key.verifier.js';
import type { AuthFailure, Principal } from './principal.js';
import { CredentialRevocations } from './revocations.js';
import { SessionCheck } from './session-check.js';

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

export type Credential = { kind: 'jwt' | 'api_key'; value: string } | { kind: 'malformed' };

/** `Authorization: Bearer <jwt | sk_…>`, else `X-API-Key: sk_…`. */
export function credentialOf(headers: FastifyRequest['headers']): Credential | undefined {
  const authorization = headers.authorization;
  if (authorization !== undefined) {
    const m = BEARER.exec(authorization);
    if (!m) return { kind: 'malformed' };
    const value = m[1]!;
    return { kind: looksLikeApiKey(value) ? 'api_key' : 'jwt', value };
  }
  const apiKey = headers['x-api-key'];
  if (apiKey !== undefined) return typeof apiKey === 'string' && apiKey ? { kind: 'api_key', value: apiKey.trim() } : { kind: 'malformed' };
  return undefined;
}

/**
 * Establishes who a request is — before routing decides anything, so that rate limits know the tier
 * and even a 404 counts against the right caller. Never rejects: a refused credential is recorded
 * on the request and the global AuthGuard answers 401 on protected routes (a public route such as
 * `auth/refresh` still works when a client sends along its expired access token).
 */
@Injectable()
export class RequestAuthenticator {
  constructor(
    private readonly tokens: AccessTokenVerifier,
    private readonly apiKeys: ApiKeyVerifier,
    private readonly revocations: CredentialRevocations,
    private readonly sessions: SessionCheck,
  ) {}

  /** Synchronous when the credential's outcome is cached (the common case); a promise otherwise. */
  authenticate(request: FastifyRequest): void | Promise<void> {
    const credential = credentialOf(request.headers);
    if (!credential) return;
    if (credential.kind === 'malformed') {
      request.authFailure = 'invalid_token';
      return;
    }
    // Fail closed: while the revocation list cannot be trusted (its reader is behind or stopped),
    // a cached key or a valid signature is not enough — identity is asked about every credential.
    if (!this.revocations.trusted()) return this.authenticateWithIdentity(request, credential);
    const outcome = credential.kind === 'api_key' ? this.apiKeys.verify(credential.value) : this.tokens.verify(credential.value);
    if (outcome instanceof Promise) return outcome.then((o) => this.apply(request, o));
    this.apply(request, outcome);
  }

  private async authenticateWithIdentity(request: FastifyRequest, credential: { kind: 'jwt' | 'api_key'; value: string }): Promise<void> {
    if (credential.kind === 'api_key') {
      this.apply(request, await this.apiKeys.verify(credential.value, Date.now(), { fresh: true }));
      return;
    }
    const outcome = await this.tokens.verify(credential.value);
    if (typeof outcome !== 'string' && !this.revocations.isRevoked(outcome) && !(await this.sessions.isLive(outcome))) {
      request.authFailure = 'invalid_token';
      return;
    }
    this.apply(request, outcome);
  }

  /** A verified credential whose session, user or key has since been ended is refused like a bad one. */
  private apply(request: FastifyRequest, outcome: Principal | AuthFailure): void {
    if (typeof outcome === 'string') request.authFailure = outcome;
    else if (this.revocations.isRevoked(outcome)) request.authFailure = outcome.kind === 'api_key' ? 'invalid_api_key' : 'invalid_token';
    else request.principal = outcome;
  }
}
