import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { jsonSchemaOf } from './json-schema.js';
import { WebhookEndpointDisabledData } from './webhooks.js';

describe('jsonSchemaOf', () => {
  it('describes a payload class from its validation decorators', () => {
    const schema = jsonSchemaOf(WebhookEndpointDisabledData);
    expect(schema).toMatchObject({
      type: 'object',
      additionalProperties: true,
      properties: {
        endpoint_id: { type: 'string', format: 'uuid' },
        url: { type: 'string' },
        consecutive_failures: { type: 'integer' },
        failing_since: { type: 'string', format: 'date-time' },
      },
    });
    expect((schema.required as string[]).sort()).toEqual(['consecutive_failures', 'endpoint_id', 'reason', 'url']);
  });
});
