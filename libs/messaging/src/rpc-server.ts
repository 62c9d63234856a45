import { randomUUID } from 'node:crypto';
import {
  type ArgumentMetadata,
  type CallHandler,
  Catch,
  type ExceptionFilter,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  type PipeTransform,
} from '@nestjs/common';
import { ServerNats } from '@nestjs/microservices';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { throwError, type Observable } from 'rxjs';
import { mayCall, validatePayload, type Actor } from '@saas/contracts';
import { DomainException, internalError, toRpcError, transientKind } from '@saas/errors';
import { CORRELATION_HEADER, extractTraceContext, inSpan, SpanKind, workContext } from '@saas/observability';
import type { Logger } from 'pino';
import type { SubjectNaming } from './naming.js';
import { RPC_CALLER_HEADER } from './rpc-client.js';
import type { DirectRpcHandler } from './rpc-direct.js';

/**
 * Nest's NATS server with two additions: subjects carry the deployment's prefix, and each request
 * runs inside the caller's trace and correlation context (read from the NATS headers). Every
 * handler subscribes in the service's queue group, so N replicas share the load.
 */
export class PlatformNatsServer extends ServerNats {
  private readonly subs: Subscription[] = [];
  private inFlight = 0;
  private idle: Array<() => void> = [];
  private direct = new Map<string, DirectRpcHandler>();
  private problemLogger?: Logger;

  constructor(
    private readonly connection: NatsConnection,
    private readonly naming: SubjectNaming,
    private readonly queue: string,
  ) {
    super({ queue });
  }

  // Reuse the process's single connection instead of opening another one.
  override async createNatsClient(): Promise<never> {
    return this.connection as never;
  }

  /** Routes answered without Nest's per-request pipeline (rpc-direct.ts); errors are logged with `logger`. */
  useDirectHandlers(handlers: Map<string, DirectRpcHandler>, logger: Logger): void {
    this.direct = handlers;
    this.problemLogger = logger;
  }

  override bindEvents(client: NatsConnection): void {
    for (const channel of this.messageHandlers.keys()) {
      const handler = this.getMessageHandler(channel).bind(this);
      this.subs.push(client.subscribe(this.naming.subject(channel), { queue: this.queue, callback: handler }));
    }
  }

  override async handleMessage(channel: string, natsMsg: Msg): Promise<unknown> {
    const caller = natsMsg.headers?.get(RPC_CALLER_HEADER) || undefined;
    if (!mayCall(channel, caller)) {
      // Defence in depth behind the NATS permissions (deploy/nats): an internal subject answers only
      // the services InternalRpcCallers names; the public edge never reaches one.
      const id = (() => {
        try {
          return natsMsg.json<{ id?: string }>().id;
        } catch {
          return undefined;
        }
      })();
      const refused = new DomainException('FORBIDDEN', `"${channel}" is internal: ${caller ? `"${caller}"` : 'a caller that does not name itself'} may not call it.`, { status: 403 });
      natsMsg.respond(JSON.stringify({ id, err: toRpcError(refused), isDisposed: true }));
      return undefined;
    }
    const correlationId = natsMsg.headers?.get(CORRELATION_HEADER) || randomUUID();
    const parent = extractTraceContext((k) => natsMsg.headers?.get(k) || undefined);
    this.inFlight++;
    try {
      return await workContext.run({ correlationId }, () =>
        inSpan(
          `rpc ${channel}`,
          SpanKind.SERVER,
          { 'messaging.system': 'nats', 'messaging.destination.name': channel },
          () => {
            const direct = this.direct.get(channel);
            return direct ? this.answerDirectly(direct, channel, natsMsg) : super.handleMessage(channel, natsMsg);
          },
          parent,
        ),
      );
    } finally {
      if (--this.inFlight === 0) for (const resolve of this.idle.splice(0)) resolve();
    }
  }

  /** Answers a request the way Nest's pipeline and reply would, in the same packet format. */
  private async answerDirectly(handler: DirectRpcHandler, channel: string, natsMsg: Msg): Promise<unknown> {
    let packet: { id?: unknown; data?: unknown };
    try {
      packet = natsMsg.json<{ id?: unknown; data?: unknown }>();
    } catch {
      return super.handleMessage(channel, natsMsg); // not a request packet: Nest's path says so
    }
    if (typeof packet !== 'object' || packet === null || packet.id === undefined) return super.handleMessage(channel, natsMsg);
    recordCallerActor(packet.data);
    let reply: { id: unknown; response?: unknown; err?: unknown; isDisposed: true };
    try {
      reply = { id: packet.id, response: await handler(packet.data), isDisposed: true };
    } catch (err) {
      reply = { id: packet.id, err: rpcProblem(err, this.problemLogger), isDisposed: true };
    }
    if (natsMsg.reply) natsMsg.respond(JSON.stringify(reply));
    return undefined;
  }

  /**
   * Stops taking requests and waits (bounded) for the ones in flight to answer. The connection is
   * shared with the outbox relay and consumers; the service kit closes it last.
   */
  override async close(timeoutMs = 10_000): Promise<void> {
    for (const sub of this.subs.splice(0)) sub.unsubscribe();
    if (this.inFlight === 0) return;
    await Promise.race([
      new Promise<void>((resolve) => this.idle.push(resolve)),
      new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref()),
    ]);
  }
}

const ACTOR_TYPES = new Set(['user', 'api_key', 'service', 'system']);

/**
 * Puts the acting user the gateway forwarded (`payload.caller.actor`) into the request's work
 * context, so the events a handler emits name who did it without every call site passing it.
 * Reads the payload Nest already parsed; authorization still reads the validated payload itself.
 */
/**
 * Puts the acting user the gateway forwarded (`payload.caller.actor`) into the request's work
 * context, so the events a handler emits name who did it without every call site passing it.
 * Reads the payload as parsed; authorization still reads the validated payload itself.
 */
export function recordCallerActor(data: unknown): void {
  const actor = (data as { caller?: { actor?: Actor } } | undefined)?.caller?.actor;
  const work = workContext.get();
  if (work && actor && ACTOR_TYPES.has(actor.type)) {
    work.actor = {
      type: actor.type,
      id: typeof actor.id === 'string' ? actor.id : null,
      ...(typeof actor.ip === 'string' ? { ip: actor.ip } : {}),
      ...(typeof actor.user_agent === 'string' ? { user_agent: actor.user_agent } : {}),
    };
  }
}

/** `recordCallerActor` for the handlers that keep Nest's pipeline. */
@Injectable()
export class CallerActorInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    recordCallerActor(context.switchToRpc().getData());
    return next.handle();
  }
}

/**
 * What an RPC handler's failure becomes on the wire: domain errors cross NATS with their code and
 * status; a transient failure (Postgres or NATS briefly away) is a 503; anything else is logged with
 * an error id and only that id leaves the service (STYLE.md §3).
 */
export function rpcProblem(exception: unknown, logger?: Logger): ReturnType<typeof toRpcError> {
  if (exception instanceof DomainException) return toRpcError(exception);
  const transient = transientKind(exception);
  if (transient) {
    logger?.warn({ err: (exception as Error)?.message, transient }, 'RPC handler hit a transient failure; answering 503');
    return toRpcError(new DomainException('SERVICE_UNAVAILABLE', 'The service is briefly unavailable. Try again shortly.', { status: 503, extensions: { transient } }));
  }
  const { exception: wrapped, errorId } = internalError();
  logger?.error({ err: exception, error_id: errorId }, 'unhandled error in RPC handler');
  return toRpcError(wrapped);
}

/** The RPC transport's exception filter (`rpcProblem`) for the handlers that keep Nest's pipeline. */
@Catch()
export class RpcProblemFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown): Observable<never> {
    return throwError(() => rpcProblem(exception, this.logger));
  }
}

/** Validates every RPC payload against its contract class on arrival. */
@Injectable()
export class ContractValidationPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const type = metadata.metatype;
    if (metadata.type !== 'body' && metadata.type !== 'custom') return value;
    if (!type || [Object, String, Number, Boolean, Array].includes(type as never)) return value;
    return validatePayload(type as new () => object, value ?? {}, 'request');
  }
}
