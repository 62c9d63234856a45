import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { REPO_ROOT } from '@saas/testing';
import { gatewayOpenApiDocument } from './document.js';

/**
 * The SDK is generated from the document committed at libs/sdk/openapi.json: it must be the one the
 * gateway serves, or the SDK lags behind the routes. Regenerate with `npm run sdk:generate`.
 */
describe('the SDK\'s OpenAPI document', () => {
  it('is the document the gateway serves (run `npm run sdk:generate` after changing a route)', async () => {
    const committed = JSON.parse(readFileSync(path.join(REPO_ROOT, 'libs/sdk/openapi.json'), 'utf8')) as { paths: Record<string, unknown> };
    const served = await gatewayOpenApiDocument();
    expect(Object.keys(served.paths as object).sort()).toEqual(Object.keys(committed.paths).sort());
    expect(served).toEqual(committed);
  });
});
