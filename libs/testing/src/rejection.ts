import { DomainException } from '@saas/errors';

/**
 * The DomainException `call` fails with (an RPC's problem, as the caller receives it). Fails the test
 * when the call succeeds, and rethrows any other error: a crash is not the refusal a spec expects.
 */
export async function rejection(call: Promise<unknown>): Promise<DomainException> {
  const outcome = await call.then(
    (value) => ({ value }),
    (err: unknown) => ({ err }),
  );
  if (!('err' in outcome)) throw new Error(`expected the call to fail, got ${JSON.stringify(outcome.value)}`);
  if (!(outcome.err instanceof DomainException)) throw outcome.err;
  return outcome.err;
}
