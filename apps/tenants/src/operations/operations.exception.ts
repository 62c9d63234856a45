import { DomainException } from '@saas/errors';

export const OperationsErrorCodes = Object.freeze({ OPERATION_IN_PROGRESS: 'OPERATION_IN_PROGRESS' } as const);

/** One long operation at a time per tenant. */
export class OperationsException extends DomainException {
  static inProgress(operation: { id: string; kind: string }): OperationsException {
    return new OperationsException(OperationsErrorCodes.OPERATION_IN_PROGRESS, `The tenant is busy with a ${operation.kind} operation; try again when it finishes.`, {
      status: 409,
      extensions: { operation_id: operation.id, operation: operation.kind },
    });
  }

  /** A plan change and a database strategy change are two operations: one request asks for one. */
  static oneChangeAtATime(): OperationsException {
    return new OperationsException(OperationsErrorCodes.OPERATION_IN_PROGRESS, 'Change the plan and the database strategy one at a time.', { status: 409 });
  }
}
