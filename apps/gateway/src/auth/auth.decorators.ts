import { applyDecorators, createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { CallerDto, ClientInfoDto } from '@saas/contracts';
import { GatewayAuthException } from './auth.exception.js';
import { callerOf, clientInfoOf } from './principal.js';

export const IS_PUBLIC = 'gateway:public';
export const REQUIRED_ROLES = 'gateway:roles';

/**
 * The route answers without credentials. Every other route needs a verified access token or API key
 * (the global AuthGuard); keep this list short — a test enumerates the routes and pins it.
 */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/** The caller needs one of these roles (403 otherwise); implies authentication. */
export const Roles = (...roles: string[]): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_ROLES, roles);

/** Documents the credentials an authenticated route accepts. */
export const ApiAuth = (): MethodDecorator & ClassDecorator => applyDecorators(ApiBearerAuth('bearer'), ApiSecurity('api_key'));

/** The authenticated caller, as the services expect it (`caller` of the identity RPCs and the others). */
export const Caller = createParamDecorator((_data: unknown, ctx: ExecutionContext): CallerDto => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest>();
  if (!request.principal) throw GatewayAuthException.unauthorized(request.authFailure);
  return callerOf(request.principal, request);
});

/** Where an anonymous request came from (`client` of the anonymous identity RPCs). */
export const Client = createParamDecorator((_data: unknown, ctx: ExecutionContext): ClientInfoDto => clientInfoOf(ctx.switchToHttp().getRequest<FastifyRequest>()));
