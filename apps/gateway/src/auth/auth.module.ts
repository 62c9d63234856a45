import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccessTokenVerifier } from './access-token.verifier.js';
import { ApiKeyVerifier } from './api-key.verifier.js';
import { AuthGuard } from './auth.guard.js';
import { JwksCache } from './jwks.cache.js';
import { JwtStrategy } from './jwt.strategy.js';
import { RequestAuthenticator } from './request-authenticator.js';
import { CredentialRevocations } from './revocations.js';
import { SessionCheck } from './session-check.js';

/**
 * Authentication at the gateway: JWTs (passport-jwt over identity's JWKS) and API keys, resolved per
 * request by RequestAuthenticator (wired into Fastify by the HTTP pipeline), and the global AuthGuard
 * with `@Public()` / `@Roles()` / `@Caller()` for controllers.
 */
@Global()
@Module({
  providers: [JwksCache, JwtStrategy, AccessTokenVerifier, ApiKeyVerifier, CredentialRevocations, SessionCheck, RequestAuthenticator, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [JwksCache, AccessTokenVerifier, ApiKeyVerifier, CredentialRevocations, RequestAuthenticator],
})
export class AuthModule {}
