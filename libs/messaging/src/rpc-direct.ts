import { validatePayload } from '@saas/contracts';
import { isObservable, lastValueFrom } from 'rxjs';
import { rpcRoutes, type RpcRoute } from './rpc-handler.decorator.js';

/** Answers one RPC's payload: validated against the handler's request class, then the handler's answer. */
export type DirectRpcHandler = (data: unknown) => Promise<unknown>;

// Nest's metadata keys (@nestjs/common constants): a handler using any of them needs Nest's pipeline.
const ROUTE_ARGS = '__routeArguments__';
const PER_HANDLER = ['__guards__', '__interceptors__', '__pipes__', '__exceptionFilters__'];
const RPC_PAYLOAD_ARG = '3:0'; // RpcParamtype.PAYLOAD at index 0
const PLAIN_TYPES: unknown[] = [Object, String, Number, Boolean, Array];

/**
 * The RPC routes of this service that can be answered without Nest's per-request pipeline
 * (issue 9): handlers whose only argument is the `@Payload()` (or none), with no guards,
 * interceptors, pipes or filters of their own. Such a handler is dispatched directly by the RPC
 * server, which does what the service's global pipeline did — validate the payload against its
 * request class, put the caller into the work context, turn errors into RPC problems — without the
 * context creation, observables and pipe consumers Nest builds for every request. Any other handler
 * keeps Nest's path.
 *
 * `resolve` gives the controller instance of this application (undefined when the route's
 * controller is not one of its own).
 */
export function directRpcHandlers(resolve: (controller: RpcRoute['controller']) => object | undefined): Map<string, DirectRpcHandler> {
  const handlers = new Map<string, DirectRpcHandler>();
  for (const r of rpcRoutes()) {
    const instance = resolve(r.controller);
    if (!instance || handlers.has(r.subject)) continue;
    const method = (instance as Record<string | symbol, unknown>)[r.method];
    if (typeof method !== 'function') continue;
    const args = (Reflect.getMetadata(ROUTE_ARGS, r.controller, r.method) ?? {}) as Record<string, { data?: unknown; pipes?: unknown[] }>;
    const keys = Object.keys(args);
    const payloadOnly = keys.length === 0 || (keys.length === 1 && keys[0] === RPC_PAYLOAD_ARG && args[RPC_PAYLOAD_ARG]!.data === undefined && !args[RPC_PAYLOAD_ARG]!.pipes?.length);
    const ownPipeline = PER_HANDLER.some((key) => Reflect.getMetadata(key, method) !== undefined || Reflect.getMetadata(key, r.controller) !== undefined);
    if (!payloadOnly || ownPipeline) continue;
    const [type] = (Reflect.getMetadata('design:paramtypes', r.controller.prototype, r.method) ?? []) as Array<new () => object>;
    const validated = keys.length === 1 && type && !PLAIN_TYPES.includes(type);
    handlers.set(r.subject, async (data) => {
      const request = keys.length === 0 ? undefined : validated ? validatePayload(type, data ?? {}, 'request') : data;
      const answer: unknown = await (method as (request: unknown) => unknown).call(instance, request);
      return isObservable(answer) ? lastValueFrom(answer) : answer;
    });
  }
  return handlers;
}
