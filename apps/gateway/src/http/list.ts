import { applyDecorators, Inject, Injectable } from '@nestjs/common';
import { ApiQuery, PickType } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DEFAULT_PAGE_SIZE, ListQueryDto, MAX_PAGE_SIZE, type ListResult, type Page } from '@saas/contracts';
import type { GatewayConfig } from '../config.js';
import { GATEWAY_CONFIG } from '../tokens.js';

/**
 * API.md list conventions, in one place: `?page=&page_size=` (≤ 100), `search=`, `ordering=`, answered
 * as `{ count, next, previous, results }` with absolute links. A list's query DTO extends `ListQuery`
 * (or `PageQuery` when it has no search/ordering) and adds its filters; anything else is a 400.
 */
export class ListQuery extends ListQueryDto {}

export class PageQuery extends PickType(ListQueryDto, ['page', 'page_size'] as const) {}

/** `page` and `page_size` of the list as validated (defaults applied). */
export interface PageParams {
  page: number;
  page_size: number;
}

/**
 * Wraps a service's ListResult into a Page. `next`/`previous` are `url` with only `page` changed, so
 * filters, search and ordering carry over.
 */
export function toPage<T>(result: ListResult<T>, params: PageParams, url: URL): Page<T> {
  const lastPage = Math.max(1, Math.ceil(result.count / params.page_size));
  const link = (page: number): string => {
    const target = new URL(url);
    target.searchParams.set('page', String(page));
    return target.toString();
  };
  return {
    count: result.count,
    next: params.page < lastPage ? link(params.page + 1) : null,
    previous: params.page > 1 ? link(Math.min(params.page - 1, lastPage)) : null,
    results: result.results,
  };
}

/** The absolute URL of a request, from PUBLIC_URL (which may carry a path prefix) or its own host. */
export function absoluteRequestUrl(request: Pick<FastifyRequest, 'url' | 'protocol' | 'host'>, publicUrl?: string): URL {
  let base: URL;
  try {
    base = new URL(publicUrl ?? `${request.protocol}://${request.host}`);
  } catch {
    base = new URL(`${request.protocol}://localhost`); // a Host header that is no host
  }
  const queryAt = request.url.indexOf('?');
  const path = queryAt === -1 ? request.url : request.url.slice(0, queryAt);
  // Assembled part by part so that a path like "//other.host/x" can never become the origin.
  const url = new URL(base.origin);
  url.pathname = `${base.pathname.replace(/\/$/, '')}${path}`;
  url.search = queryAt === -1 ? '' : request.url.slice(queryAt);
  return url;
}

/** `toPage` for controllers: knows the gateway's PUBLIC_URL. */
@Injectable()
export class Paginator {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  toPage<T>(result: ListResult<T>, params: PageParams, request: FastifyRequest): Page<T> {
    return toPage(result, params, absoluteRequestUrl(request, this.config.PUBLIC_URL));
  }
}

/** Documents the list query parameters of a route in OpenAPI. */
export function ApiListQuery(options: { search?: boolean; ordering?: string[] } = {}): MethodDecorator {
  const decorators = [
    ApiQuery({ name: 'page', required: false, schema: { type: 'integer', minimum: 1, default: 1 }, description: 'Page number, from 1.' }),
    ApiQuery({
      name: 'page_size',
      required: false,
      schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE },
      description: 'Items per page.',
    }),
  ];
  if (options.search) decorators.push(ApiQuery({ name: 'search', required: false, type: String }));
  if (options.ordering?.length) {
    decorators.push(
      ApiQuery({ name: 'ordering', required: false, type: String, description: `Comma-separated, "-" for descending: ${options.ordering.join(', ')}.` }),
    );
  }
  return applyDecorators(...decorators);
}
