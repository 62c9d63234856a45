import { randomUUID } from 'node:crypto';
import { headers as natsHeaders, RequestError, TimeoutError, type NatsConnection } from '@nats-io/transport-node';
import type { RpcRequest, RpcResponse, RpcSubject } from '@saas/contracts';
import { DomainException, fromRpcError, isRpcErrorPayload } from '@saas/errors';
import { CORRELATION_HEADER, inSpan, rpcDuration, SpanKind, injectTraceContext, workContext } from '@saas/observability';
import type { SubjectNaming } from './naming.js';

export interface RpcCallOptions {
  timeoutMs?: number;
}

/** Nest's NATS reply packet (ServerNats + NatsRecordSerializer). */
interface ReplyPacket {
  id?: string;
  response?: unknown;
  err?: unknown;
  status?: string;
  isDisposed?: boolean;
}

/** The NATS header naming the caller of an RPC (a service name, or `gateway`). */
export const RPC_CALLER_HEADER = 'x-rpc-caller';


function serviceOf(subject: string): string {
  return subject.split('.')[1] ?? subject;
}

/**
 * Request/reply over NATS that speaks the packet format of @nestjs/microservices' NATS server.
 * Uses `nc.request` rather than Nest's ClientNats so that "no responders" comes back from the NATS
 * server at once (→ 503) instead of waiting for the timeout (→ 504). Every call has a deadline.
 */
export class RpcClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly naming: SubjectNaming,
    private readonly defaultTimeoutMs: number,
    /** Who calls (`gateway` or a service name), sent as `x-rpc-caller`: services refuse `internal` subjects to the gateway. */
    private readonly caller?: string,
  ) {}

  /** Calls `subject` with a request of its contract entry and answers its response type (libs/contracts rpc-contract.ts). */
  call<S extends RpcSubject>(subject: S, request: RpcRequest<S>, options: RpcCallOptions = {}): Promise<RpcResponse<S>> {
    return this.send(subject, request, options) as Promise<RpcResponse<S>>;
  }

  /**
   * A call outside the contract, answered as `unknown`: for specs that send what the contract
   * refuses (to see the service refuse it too) and for tools. Service code uses `call`; a spec
   * fails on `callRaw` in any app's src.
   */
  callRaw(subject: string, data: unknown, options: RpcCallOptions = {}): Promise<unknown> {
    return this.send(subject, data, options);
  }

  private async send(subject: string, data: unknown, options: RpcCallOptions): Promise<unknown> {
    const timeout = options.timeoutMs ?? this.defaultTimeoutMs;
    const wireSubject = this.naming.subject(subject);
    const started = process.hrtime.bigint();
    let outcome = 'ok';
    try {
      return await inSpan(`rpc ${subject}`, SpanKind.CLIENT, { 'messaging.system': 'nats', 'messaging.destination.name': subject }, async () => {
        const h = natsHeaders();
        injectTraceContext((k, v) => h.set(k, v));
        const correlationId = workContext.correlationId();
        if (correlationId) h.set(CORRELATION_HEADER, correlationId);
        if (this.caller) h.set(RPC_CALLER_HEADER, this.caller);
        const packet = JSON.stringify({ pattern: subject, data: data ?? {}, id: randomUUID() });
        let reply;
        try {
          reply = await this.nc.request(wireSubject, packet, { timeout, headers: h });
        } catch (err) {
          throw this.transportError(err, subject, timeout);
        }
        const body = reply.json<ReplyPacket>();
        if (body.err !== undefined && body.err !== null) {
          if (isRpcErrorPayload(body.err)) throw fromRpcError(body.err);
          if (typeof body.err === 'string' && body.err.includes('no matching message handler')) {
            throw new DomainException('SERVICE_UNAVAILABLE', `The ${serviceOf(subject)} service does not handle "${subject}".`, { status: 503 });
          }
          throw new DomainException('INTERNAL_ERROR', `The ${serviceOf(subject)} service failed to answer.`, { status: 502 });
        }
        return body.response;
      });
    } catch (err) {
      outcome = err instanceof DomainException ? err.code : 'error';
      throw err;
    } finally {
      rpcDuration.observe({ subject, outcome }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  private transportError(err: unknown, subject: string, timeout: number): DomainException {
    const service = serviceOf(subject);
    if (err instanceof RequestError && err.isNoResponders()) {
      return new DomainException('SERVICE_UNAVAILABLE', `The ${service} service is not available right now. Try again shortly.`, {
        status: 503,
        extensions: { service },
      });
    }
    if (err instanceof TimeoutError || (err instanceof RequestError && err.cause instanceof TimeoutError)) {
      return new DomainException('SERVICE_TIMEOUT', `The ${service} service did not answer within ${timeout} ms.`, {
        status: 504,
        extensions: { service },
      });
    }
    return new DomainException('SERVICE_UNAVAILABLE', `The ${service} service could not be reached.`, {
      status: 503,
      extensions: { service },
      cause: err,
    });
  }
}
