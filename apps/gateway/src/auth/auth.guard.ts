import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IS_PUBLIC, REQUIRED_ROLES } from './auth.decorators.js';
import { GatewayAuthException } from './auth.exception.js';

interface RouteAccess {
  public: boolean;
  roles: readonly string[] | undefined;
}

/**
 * The one global guard: every route needs a verified principal (set by the request-auth hook) unless
 * it is `@Public()`, and `@Roles(...)` routes need one of the roles. Authentication by default means
 * a new controller is protected without anyone remembering a decorator. The metadata lookup is done
 * once per handler.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly access = new WeakMap<object, RouteAccess>();

  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const access = this.accessOf(context);
    if (access.public) return true;

    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const principal = request.principal;
    if (!principal) {
      const error = GatewayAuthException.unauthorized(request.authFailure);
      context.switchToHttp().getResponse<FastifyReply>().header('www-authenticate', error.challenge);
      throw error;
    }
    if (access.roles && !access.roles.some((r) => principal.roles.includes(r))) throw GatewayAuthException.forbidden(access.roles);
    return true;
  }

  private accessOf(context: ExecutionContext): RouteAccess {
    const handler = context.getHandler();
    let access = this.access.get(handler);
    if (!access) {
      const targets = [handler, context.getClass()];
      access = {
        public: this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) === true,
        roles: this.reflector.getAllAndOverride<string[]>(REQUIRED_ROLES, targets),
      };
      this.access.set(handler, access);
    }
    return access;
  }
}
