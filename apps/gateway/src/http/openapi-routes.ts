import { HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod, type Type } from '@nestjs/common';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { ModulesContainer } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { DEFAULT_STATUS, ErrorCodes, problemType, TITLES } from '@saas/errors';
import { IS_PUBLIC } from '../auth/auth.decorators.js';
import { apiResultOf, type ApiResultMetadata } from './api-result.js';
import { describeFromValidation } from './openapi-dtos.js';

/** A Nest route as its decorators declare it: what the document is completed from. */
export interface RouteHandler {
  /** `get`, `post`, … */
  method: string;
  /** OpenAPI form: `/api/v1/tenants/{id}`. */
  path: string;
  controller: string;
  handler: string;
  isPublic: boolean;
  /** `@HttpCode()`, or Nest's default (201 for POST, 200 otherwise). */
  status: number;
  /** The success body `@ApiResult()` / `@ApiPageResponse()` declare. */
  result?: ApiResultMetadata;
}

const PROTECTED_SECURITY = [{ bearer: [] }, { api_key: [] }];
const PROBLEM_CONTENT = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };

/** Each error status's generic code, read from the catalogue (the first code with it as default status). */
const EXAMPLE_CODES: ReadonlyMap<number, string> = new Map(
  Object.values(ErrorCodes)
    .reverse()
    .flatMap((code) => (DEFAULT_STATUS[code] ? [[DEFAULT_STATUS[code], code] as const] : [])),
);

/** An example problem of `status` at `path`: what a client switching on `code` sees. */
function problemExample(status: number, path: string): Record<string, unknown> {
  const code = EXAMPLE_CODES.get(status) ?? 'INTERNAL_ERROR';
  return {
    type: problemType(code),
    title: TITLES[status] ?? 'Error',
    status,
    detail: 'What went wrong, for a person to read; switch on `code`.',
    instance: path,
    code,
    correlation_id: '6a1f3c9e-2b7d-4e15-8f0a-9c3d2e1b4a5f',
    timestamp: '2026-01-01T12:00:00.000Z',
  };
}

const join = (...parts: string[]) => `/${parts.flatMap((p) => p.split('/')).filter(Boolean).join('/')}`;
const asOpenApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/**
 * The default operationId, from the controller and the method: `TenantsController.get` → `tenants.get`,
 * `AdminTenantsController.action` → `admin.tenants.action`, `ApiKeysController.create` → `apiKeys.create`.
 * A route says otherwise with `@ApiOperation({ operationId })`.
 */
export function defaultOperationId(controller: string, handler: string): string {
  const name = controller.replace(/Controller$/, '');
  const area = /^Admin[A-Z]/.test(name) ? `admin.${lowerFirst(name.slice('Admin'.length))}` : lowerFirst(name);
  return `${area}.${handler}`;
}

/**
 * Every route of the app's controllers, read from their decorators. Along the way every DTO a route
 * validates (`@Body()`, `@Query()`, `@Param()`) is described from its class-validator rules, so the
 * document has its properties, query parameters and path parameters (call before createDocument).
 */
export function collectRouteHandlers(app: NestFastifyApplication): RouteHandler[] {
  const handlers: RouteHandler[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller || typeof controller !== 'function') continue;
      const base = [Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined].flat()[0] ?? '';
      const classPublic = Reflect.getMetadata(IS_PUBLIC, controller) === true;
      const proto = controller.prototype as Record<string, unknown>;
      for (const key of Object.getOwnPropertyNames(proto)) {
        const fn = proto[key];
        if (key === 'constructor' || typeof fn !== 'function') continue;
        const requestMethod = Reflect.getMetadata(METHOD_METADATA, fn) as RequestMethod | undefined;
        const routePaths = Reflect.getMetadata(PATH_METADATA, fn) as string | string[] | undefined;
        if (requestMethod === undefined || routePaths === undefined) continue;
        describeRouteDtos(controller, key);
        const method = RequestMethod[requestMethod].toLowerCase();
        for (const routePath of [routePaths].flat()) {
          handlers.push({
            method,
            path: asOpenApiPath(join(base, routePath)),
            controller: controller.name,
            handler: key,
            isPublic: classPublic || Reflect.getMetadata(IS_PUBLIC, fn) === true,
            status: (Reflect.getMetadata(HTTP_CODE_METADATA, fn) as number | undefined) ?? (requestMethod === RequestMethod.POST ? 201 : 200),
            result: apiResultOf(fn as object),
          });
        }
      }
    }
  }
  return handlers;
}

function describeRouteDtos(controller: Type, key: string): void {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, key) ?? {}) as Record<string, { index: number; data?: unknown }>;
  const types = (Reflect.getMetadata('design:paramtypes', controller.prototype, key) ?? []) as unknown[];
  for (const [argKey, arg] of Object.entries(args)) {
    const paramtype = Number(argKey.split(':')[0]);
    if (![RouteParamtypes.BODY, RouteParamtypes.QUERY, RouteParamtypes.PARAM].includes(paramtype) || arg.data !== undefined) continue;
    const type = types[arg.index];
    if (typeof type === 'function' && ![String, Number, Boolean, Object, Array].includes(type as never)) describeFromValidation(type as never);
  }
}

type Operation = Record<string, unknown> & {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: Array<{ name: string; in: string; [k: string]: unknown }>;
  responses?: Record<string, { description?: string; content?: unknown }>;
};

/**
 * What the decorators leave out of the document, added from the routes themselves so that a route
 * someone adds gets it without asking: `security` from `@Public()` (the guard's own metadata: `[]` on
 * public routes, bearer JWT or API key on the rest), every path parameter, a 2xx response from
 * `@HttpCode()`, a 4xx where a route declares none, a summary, an operationId that reads well, and the
 * tags it uses. Also a `servers` entry.
 */
export function completeDocument(document: OpenAPIObject, handlers: readonly RouteHandler[]): OpenAPIObject {
  const byRoute = new Map(handlers.map((h) => [`${h.method} ${h.path}`, h]));
  document.servers = document.servers?.length ? document.servers : [{ url: '/', description: 'This gateway (paths are absolute, under /api/v1)' }];
  const knownTags = new Set((document.tags ?? []).map((t) => t.name));
  for (const [path, item] of Object.entries(document.paths)) {
    const pathParams = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    for (const [method, value] of Object.entries(item)) {
      if (!['get', 'put', 'post', 'delete', 'patch'].includes(method) || !value) continue;
      const op = value as Operation;
      const route = byRoute.get(`${method} ${path}`);
      if (route) {
        const nestDefault = `${route.controller}_${route.handler}`;
        if (!op.operationId || op.operationId === nestDefault) op.operationId = defaultOperationId(route.controller, route.handler);
        op.security = route.isPublic ? [] : (op.security?.length ? op.security : PROTECTED_SECURITY);
        op.responses ??= {};
        if (route.result) applyResult(op.responses, route.status, route.result);
        if (!Object.keys(op.responses).some((s) => /^2/.test(s))) op.responses[String(route.status)] = { description: TITLES[route.status] ?? 'Success' };
        // Every protected route answers 401 without credentials (the guard), every route 429 over its limit.
        if (!route.isPublic && !op.responses['401']) op.responses['401'] = { description: TITLES[401] ?? 'Unauthorized', content: PROBLEM_CONTENT };
        if (!op.responses['429']) op.responses['429'] = { description: TITLES[429] ?? 'Too Many Requests', content: PROBLEM_CONTENT };
      }
      op.summary ||= humanize(op.operationId ?? `${method} ${path}`);
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        if (!/^[45]/.test(status)) continue;
        const content = (response.content ?? PROBLEM_CONTENT) as Record<string, { example?: unknown; examples?: unknown }>;
        const problem = content['application/problem+json'];
        response.content = problem && problem.example === undefined && problem.examples === undefined ? { ...content, 'application/problem+json': { ...problem, example: problemExample(Number(status), path) } } : content;
      }
      const declared = new Set((op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name));
      for (const name of pathParams.filter((n) => !declared.has(n))) {
        (op.parameters ??= []).push({ name, in: 'path', required: true, schema: /(^|_)id$/.test(name) ? { type: 'string', format: 'uuid' } : { type: 'string' } });
      }
      for (const tag of op.tags ?? []) {
        if (!knownTags.has(tag)) {
          (document.tags ??= []).push({ name: tag, description: `${humanize(tag)} operations` });
          knownTags.add(tag);
        }
      }
    }
  }
  return document;
}

/**
 * The route's success response gets the declared body, at the status the route answers; a 2xx some
 * `@ApiOkResponse()` declared beside it without a body (often at the wrong status) goes.
 */
function applyResult(responses: NonNullable<Operation['responses']>, status: number, result: ApiResultMetadata): void {
  for (const declared of Object.keys(responses)) if (/^2/.test(declared) && declared !== String(status) && !responses[declared]!.content) delete responses[declared];
  for (const code of [status, ...(result.alsoFor ?? [])]) {
    const existing = responses[String(code)];
    const description = code === status ? (result.description ?? existing?.description) : existing?.description;
    responses[String(code)] = {
      ...existing,
      description: description || (TITLES[code] ?? 'Success'),
      content: { 'application/json': { schema: result.schema, ...(result.example !== undefined && code === status ? { example: result.example } : {}) } },
    };
  }
}

function humanize(operationId: string): string {
  const words = operationId
    .replace(/[._-]+/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
