import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { Page } from '@saas/contracts';
import { ApiPageResponse, ApiResult, apiResultOf } from './api-result.js';
import { completeDocument, type RouteHandler } from './openapi-routes.js';
import { Str, Uuid } from './view-properties.js';

interface WidgetView {
  id: string;
  name: string;
}
class WidgetViewDto implements WidgetView {
  @Uuid() id!: string;
  @Str() name!: string;
}

class WidgetsHandlers {
  @ApiResult(WidgetViewDto, { description: 'The widget.', alsoFor: [503] })
  get(): Promise<WidgetView> {
    return Promise.resolve({ id: 'w', name: 'n' });
  }

  @ApiPageResponse(WidgetViewDto)
  list(): Page<WidgetView> {
    return { count: 0, next: null, previous: null, results: [] };
  }

  // @ts-expect-error the class documents a field the handler does not answer
  @ApiResult(WidgetViewDto)
  missing(): Promise<Omit<WidgetView, 'name'>> {
    return Promise.resolve({ id: 'w' });
  }

  // @ts-expect-error the class documents a field of another type than the handler's
  @ApiResult(WidgetViewDto)
  retyped(): Promise<{ id: string; name: number }> {
    return Promise.resolve({ id: 'w', name: 1 });
  }

  // @ts-expect-error an untyped answer (`unknown`, as an un-annotated rpc.call gives) is not the class
  @ApiResult(WidgetViewDto)
  untyped(): Promise<unknown> {
    return Promise.resolve({});
  }
}

const route = (handler: keyof WidgetsHandlers, status: number): RouteHandler => ({
  method: 'post',
  path: `/api/v1/widgets/${handler}`,
  controller: 'WidgetsController',
  handler,
  isPublic: false,
  status,
  result: apiResultOf(WidgetsHandlers.prototype[handler]),
});

describe('ApiResult / ApiPageResponse', () => {
  it('put the body at the status the route answers, dropping a bodiless 2xx declared at another', () => {
    const doc = {
      openapi: '3.0.0',
      info: { title: 't', version: '1' },
      paths: {
        '/api/v1/widgets/get': { post: { responses: { '200': { description: 'declared by @ApiOkResponse' }, '503': { description: 'Down.' } } } },
        '/api/v1/widgets/list': { post: { responses: {} } },
      },
    } as unknown as OpenAPIObject;
    completeDocument(doc, [route('get', 202), route('list', 200)]);
    const get = doc.paths['/api/v1/widgets/get']!.post!.responses as Record<string, { description: string; content?: unknown }>;
    expect(Object.keys(get).filter((s) => s.startsWith('2'))).toEqual(['202']);
    expect(get['202']).toEqual({ description: 'The widget.', content: { 'application/json': { schema: { $ref: '#/components/schemas/WidgetViewDto' } } } });
    expect(get['503']).toEqual({ description: 'Down.', content: { 'application/json': { schema: { $ref: '#/components/schemas/WidgetViewDto' } } } });
    const list = doc.paths['/api/v1/widgets/list']!.post!.responses as Record<string, { content?: unknown }>;
    expect(list['200']!.content).toEqual({
      'application/json': {
        schema: { allOf: [{ $ref: '#/components/schemas/Page' }, { type: 'object', required: ['results'], properties: { results: { type: 'array', items: { $ref: '#/components/schemas/WidgetViewDto' } } } }] },
      },
    });
  });
});
