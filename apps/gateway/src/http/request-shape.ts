import type { FastifyInstance } from 'fastify';
import { DomainException, type FieldError } from '@saas/errors';

/** How deep a JSON body (or query) may nest: far beyond any DTO, far below what recursion survives. */
export const MAX_NESTING_DEPTH = 32;

/**
 * What no field of a request may be, whatever its DTO says, found without recursion: nested deeper
 * than MAX_NESTING_DEPTH (class-transformer recurses per level, and a body of 5,000 nested arrays
 * overflowed the stack: a 500, issue 16), or a string with U+0000 (Postgres text cannot hold it, so
 * it failed in the service: a 500). Reports the first offending field of each kind.
 */
export function requestShapeProblems(value: unknown, root: string): FieldError[] {
  const problems: FieldError[] = [];
  let tooDeep = false;
  let nul = false;
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: '', depth: 0 }];
  while (stack.length && !(tooDeep && nul)) {
    const { value: v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (!nul && v.includes('\u0000')) {
        nul = true;
        problems.push({ field: path || root, message: 'must not contain the NUL character (U+0000)' });
      }
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_NESTING_DEPTH) {
      if (!tooDeep) {
        tooDeep = true;
        problems.push({ field: path.split(/[.[]/)[0] || root, message: `must not nest deeper than ${MAX_NESTING_DEPTH} levels` });
      }
      continue;
    }
    for (const [key, child] of Object.entries(v)) {
      if (!nul && key.includes('\u0000')) {
        nul = true;
        problems.push({ field: path || root, message: 'field names must not contain the NUL character (U+0000)' });
      }
      stack.push({ value: child, path: Array.isArray(v) ? `${path}[${key}]` : path ? `${path}.${key}` : key, depth: depth + 1 });
    }
  }
  return problems;
}

/** Refuses, before any DTO is looked at, bodies, queries and path parameters of a shape nothing may have. */
export function registerRequestShapeLimits(fastify: FastifyInstance): void {
  fastify.addHook('preValidation', (request, _reply, done) => {
    const problems = [...requestShapeProblems(request.body, 'body'), ...requestShapeProblems(request.query, 'query'), ...requestShapeProblems(request.params, 'path')];
    done(problems.length ? DomainException.validation(problems) : undefined);
  });
}
