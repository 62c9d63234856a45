import { MessagePattern } from '@nestjs/microservices';
import type { RpcContract, RpcResponse, RpcSubject } from '@saas/contracts';

/** A handler that can answer `S`: takes the contract's request class, answers its response type. */
type RpcHandlerMethod<S extends RpcSubject> = (request: RpcContract[S]['request']) => RpcResponse<S> | Promise<RpcResponse<S>>;

/** Where an RPC is answered: the subject, the controller class and its method. */
export interface RpcRoute {
  subject: string;
  controller: abstract new (...args: never[]) => object;
  method: string | symbol;
}

const routes: RpcRoute[] = [];

/** Every route declared with `@RpcHandler` in this process (the RPC server dispatches them directly). */
export function rpcRoutes(): readonly RpcRoute[] {
  return routes;
}

function route(subject: string) {
  const pattern = MessagePattern(subject);
  return (target: object, key: string | symbol, descriptor: PropertyDescriptor): void => {
    pattern(target, key, descriptor);
    routes.push({ subject, controller: target.constructor as RpcRoute['controller'], method: key });
  };
}

/**
 * Answers the RPC `subject` (Nest's `@MessagePattern`), held to the subject's entry in the RPC
 * contract (libs/contracts rpc-contract.ts): a handler whose request or answer disagrees with what
 * callers are typed against does not build. Every RPC handler of the services uses this decorator.
 */
export function RpcHandler<S extends RpcSubject>(subject: S) {
  const declare = route(subject);
  return <M extends RpcHandlerMethod<S>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<M>): void => declare(target, key, descriptor);
}

/** `@RpcHandler` for the service kit's fixture services, whose subjects are not the platform's contract. */
export function UncheckedRpcHandler(subject: string): MethodDecorator {
  return route(subject);
}
