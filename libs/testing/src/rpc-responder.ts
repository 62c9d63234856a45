import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { DomainException, toRpcError } from '@saas/errors';

/** What is needed of @saas/messaging's SubjectNaming (testing does not depend on messaging). */
export interface SubjectNaming {
  subject(name: string): string;
}

/**
 * Answers one RPC subject as a NestJS microservice would (the request's `{ id, data }`, the reply's
 * `{ id, response | err, isDisposed }`), from a plain function: a fake of another service for a test
 * or a benchmark. A DomainException thrown by `handle` is the error answer, code and status kept.
 */
export function respondRpc<Req, Res>(nc: NatsConnection, naming: SubjectNaming, subject: string, handle: (req: Req) => Res | Promise<Res>): Subscription {
  return nc.subscribe(naming.subject(subject), {
    callback: (_err, msg) => {
      const { id, data } = msg.json<{ id: string; data: Req }>();
      const answer = (body: { response?: unknown; err?: unknown }) => msg.respond(JSON.stringify({ id, ...body, isDisposed: true }));
      Promise.resolve()
        .then(() => handle(data))
        .then(
          (response) => answer({ response }),
          (err: unknown) => answer({ err: toRpcError(err instanceof DomainException ? err : new DomainException('INTERNAL_ERROR', String(err), { status: 500 })) }),
        );
    },
  });
}
