import { applyDecorators } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiResponse, DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE, TITLES } from '@saas/errors';

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
    .setDescription('Public REST API of the control plane. Errors are application/problem+json (RFC 9457); send X-Request-Id to correlate.')
    .setVersion(version)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Access token from identity (operators: the admin API token for now).' }, 'bearer')
    .addTag('health', 'Liveness and dependency health')
    .addTag('admin', 'Operator endpoints')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.components = { ...document.components, schemas: { ...document.components?.schemas, Problem: PROBLEM_SCHEMA as never } };
  return document;
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
