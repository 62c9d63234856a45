import { applyDecorators } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiResponse, DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE, TITLES } from '@saas/errors';
import { documentSessionRoute } from '../auth/session.route.js';
import { collectRouteHandlers, completeDocument } from './openapi-routes.js';

export const DOCS_PATH = 'docs';
export const OPENAPI_JSON_PATH = 'docs/openapi.json';

/** RFC 9457 + the members API.md adds; referenced by every error response. */
const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'instance', 'code', 'correlation_id', 'timestamp'],
  properties: {
    type: { type: 'string', format: 'uri', example: 'https://docs.saas-control-plane.dev/problems/validation-failed' },
    title: { type: 'string', example: 'Bad Request' },
    status: { type: 'integer', example: 400 },
    detail: { type: 'string', example: 'The request is not valid.' },
    instance: { type: 'string', example: '/api/v1/admin/dead-letters' },
    code: { type: 'string', description: 'Stable upper-case error code; switch on this.', example: 'VALIDATION_FAILED' },
    correlation_id: { type: 'string', nullable: true, description: 'The X-Request-Id of the request.' },
    timestamp: { type: 'string', format: 'date-time' },
    errors: {
      type: 'array',
      description: 'Present for VALIDATION_FAILED.',
      items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } },
    },
    error_id: { type: 'string', description: 'Present for INTERNAL_ERROR: quote it to the operators.' },
  },
} as const;

/**
 * The list envelope of API.md (`{ count, next, previous, results }`); a list's 200 response is
 * `allOf: [Page, { results: { items: <item> } }]` (see ApiPageResponse).
 */
const PAGE_SCHEMA = {
  type: 'object',
  required: ['count', 'next', 'previous', 'results'],
  properties: {
    count: { type: 'integer', minimum: 0, description: 'Items matching the query, over all pages.' },
    next: { type: 'string', format: 'uri', nullable: true, description: 'The next page (same filters), or null on the last.' },
    previous: { type: 'string', format: 'uri', nullable: true, description: 'The previous page, or null on the first.' },
    results: { type: 'array', items: {} },
  },
} as const;

/** Declares problem+json error responses of a route (or of every route of a controller). */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: TITLES[status] ?? 'Error',
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
      }),
    ),
  );
}

export function buildOpenApiDocument(app: NestFastifyApplication, version: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('SaaS Control Plane API')
    .setDescription(
      'Public REST API of the control plane. Every route needs a bearer access token or an API key unless marked otherwise. Errors are application/problem+json (RFC 9457); send X-Request-Id to correlate. Every response carries X-RateLimit-Limit/-Remaining/-Reset and RateLimit/RateLimit-Policy (draft-ietf-httpapi-ratelimit-headers-10); over a limit → 429 with Retry-After.',
    )
    .setVersion(version)
    .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Access token from `POST /api/v1/auth/login` (RS256, 15 min), or an API key `sk_…`.' },
      'bearer',
    )
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An API key `sk_…` from `POST /api/v1/api-keys`.' }, 'api_key')
    .addTag('health', 'Liveness and dependency health')
    .addTag('auth', 'Registration, sign-in, tokens, the caller’s account; the JWKS')
    .addTag('users', 'User accounts')
    .addTag('api-keys', 'The caller’s API keys')
    .addTag('billing', 'Plans, subscriptions and seats, invoices (PDF), payment methods, test clocks')
    .addTag('audit', 'The audit log')
    .addTag('security', 'Security metrics (admins)')
    .addTag('admin', 'Operator endpoints (admins)')
    .addTag('tenants', 'Tenants, their members and lifecycle status')
    .addTag('instances', 'A tenant’s running instance: actions, metrics, logs')
    .build();
  // Read before createDocument: describing the routes' DTOs from their validation rules is what gives
  // the document their properties and parameters.
  const handlers = collectRouteHandlers(app);
  const document = SwaggerModule.createDocument(app, config);
  document.components = { ...document.components, schemas: { ...document.components?.schemas, Problem: PROBLEM_SCHEMA as never, Page: PAGE_SCHEMA as never } };
  documentSessionRoute(document);
  return completeDocument(document, handlers);
}

/** Swagger UI at /docs (unless `ui` is false), the document at /docs/openapi.json. */
export function setupOpenApi(app: NestFastifyApplication, version: string, ui = true): void {
  SwaggerModule.setup(DOCS_PATH, app, () => buildOpenApiDocument(app, version), {
    ui,
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    raw: ['json'],
    customSiteTitle: 'SaaS Control Plane API',
  });
}
