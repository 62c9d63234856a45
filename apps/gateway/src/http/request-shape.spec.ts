import { describe, expect, it } from '@jest/globals';
import { MAX_NESTING_DEPTH, requestShapeProblems } from './request-shape.js';

const nested = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
};

// Regressions (issue 16, found by the fuzz suite): both reached a 500.
describe('requestShapeProblems', () => {
  it('refuses nesting deeper than the limit, naming the top-level field, without recursing', () => {
    expect(requestShapeProblems({ metadata: nested(MAX_NESTING_DEPTH - 1) }, 'body')).toEqual([]);
    expect(requestShapeProblems({ metadata: nested(MAX_NESTING_DEPTH) }, 'body')).toEqual([{ field: 'metadata', message: `must not nest deeper than ${MAX_NESTING_DEPTH} levels` }]);
    expect(requestShapeProblems(JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`), 'body')).toEqual([{ field: 'body', message: expect.stringMatching(/nest deeper/) }]);
  });

  it('refuses U+0000 in any string or key, naming the field', () => {
    expect(requestShapeProblems({ email: 'a\u0000@example.com' }, 'body')).toEqual([{ field: 'email', message: 'must not contain the NUL character (U+0000)' }]);
    expect(requestShapeProblems({ settings: { list: ['ok', 'x\u0000'] } }, 'body')).toEqual([{ field: 'settings.list[1]', message: expect.any(String) }]);
    expect(requestShapeProblems({ search: '\u0000' }, 'query')).toHaveLength(1);
    expect(requestShapeProblems({ name: 'Acme \u0007 ‮ 😀' }, 'body')).toEqual([]);
  });
});
