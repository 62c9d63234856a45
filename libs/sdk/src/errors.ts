/** An RFC 9457 problem as the platform sends it (`application/problem+json`). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  /** Stable upper-case code: switch on this (`TENANT_NOT_FOUND`, `VALIDATION_FAILED`, …). */
  code: string;
  correlation_id?: string | null;
  timestamp?: string;
  errors?: Array<{ field: string; message: string }>;
  [extension: string]: unknown;
}

/** Every non-2xx answer, with the problem's `code`, `status` and the whole problem. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(`${problem.status} ${problem.code}: ${problem.detail}`);
    this.name = 'ApiError';
    this.status = problem.status;
    this.code = problem.code;
    this.problem = problem;
  }

  /** The field errors of a `VALIDATION_FAILED`. */
  get fieldErrors(): Array<{ field: string; message: string }> {
    return this.problem.errors ?? [];
  }
}

/** An operation (provisioning, backup, restore, deletion) that ended in a failed state. */
export class OperationFailedError extends Error {
  constructor(
    readonly status: string,
    readonly reason: string | null,
  ) {
    super(`the operation ended ${status}${reason ? `: ${reason}` : ''}`);
    this.name = 'OperationFailedError';
  }
}

/** Turns any error response into an ApiError (non-problem bodies too). */
export async function toApiError(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const problem = body && typeof body === 'object' && 'code' in body ? (body as Problem) : { type: 'about:blank', title: response.statusText, status: response.status, detail: text.slice(0, 500), code: `HTTP_${response.status}` };
  return new ApiError(problem);
}
