import { MessagePattern } from '@nestjs/microservices';
import type { RpcContract, RpcResponse, RpcSubject } from '@saas/contracts';

/** A handler that can answer `S`: takes the contract's request class, answers its response type. */
type RpcHandlerMethod<S extends RpcSubject> = (request: RpcContract[S]['request']) => RpcResponse<S> | Promise<RpcResponse<S>>;

/**
 * Answers the RPC `subject` (Nest's `@MessagePattern`), held to the subject's entry in the RPC
 * contract (libs/contracts rpc-contract.ts): a handler whose request or answer disagrees with what
 * callers are typed against does not build. Every RPC handler of the services uses this decorator.
 */
export function RpcHandler<S extends RpcSubject>(subject: S) {
  const pattern = MessagePattern(subject);
  return <M extends RpcHandlerMethod<S>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<M>): void => {
    pattern(target, key, descriptor);
  };
}
