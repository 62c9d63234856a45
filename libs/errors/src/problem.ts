import { randomUUID } from 'node:crypto';
import { DomainException, type FieldError } from './domain.exception.js';
import { TITLES } from './error-codes.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** RFC 9457 problem document with the members API.md adds (`code`, `correlation_id`, `timestamp`, `errors`). */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  correlation_id: string | null;
  timestamp: string;
  errors?: FieldError[];
  error_id?: string;
  [extension: string]: unknown;
}

const TYPE_BASE = 'https://docs.saas-control-plane.dev/problems/';

export function problemType(code: string): string {
  return `${TYPE_BASE}${code.toLowerCase().replace(/_/g, '-')}`;
}

export function toProblem(
  error: DomainException,
  context: { instance: string; correlationId: string | null; now?: Date },
): ProblemDocument {
  const doc: ProblemDocument = {
    ...(error.extensions ?? {}),
    type: problemType(error.code),
    title: TITLES[error.status] ?? 'Error',
    status: error.status,
    detail: error.message,
    instance: context.instance,
    code: error.code,
    correlation_id: context.correlationId,
    timestamp: (context.now ?? new Date()).toISOString(),
  };
  if (error.errors?.length) doc.errors = error.errors;
  return doc;
}

/**
 * An unexpected failure: the client gets an error id and nothing else about it; the caller logs the
 * real error with the same id (STYLE.md §3).
 */
export function internalError(): { exception: DomainException; errorId: string } {
  const errorId = randomUUID();
  return {
    errorId,
    exception: new DomainException('INTERNAL_ERROR', `An unexpected error occurred (error id ${errorId}).`, {
      status: 500,
      extensions: { error_id: errorId },
    }),
  };
}
