import { DomainException, type FieldError } from './domain.exception.js';

/** What a failed RPC carries across NATS: enough to rebuild the DomainException on the caller's side. */
export interface RpcErrorPayload {
  __domain: true;
  code: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  extensions?: Record<string, unknown>;
}

export function toRpcError(error: DomainException): RpcErrorPayload {
  const payload: RpcErrorPayload = { __domain: true, code: error.code, status: error.status, detail: error.message };
  if (error.errors) payload.errors = error.errors;
  if (error.extensions) payload.extensions = error.extensions;
  return payload;
}

export function isRpcErrorPayload(value: unknown): value is RpcErrorPayload {
  return typeof value === 'object' && value !== null && (value as { __domain?: unknown }).__domain === true;
}

export function fromRpcError(payload: RpcErrorPayload): DomainException {
  return new DomainException(payload.code, payload.detail, {
    status: payload.status,
    ...(payload.errors ? { errors: payload.errors } : {}),
    ...(payload.extensions ? { extensions: payload.extensions } : {}),
  });
}
