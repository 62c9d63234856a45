import { createHash } from 'node:crypto';
import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { catchError, finalize, from, mergeMap, of, type Observable } from 'rxjs';
import { backoffDelay, DomainException } from '@saas/errors';
import type { GatewayConfig } from '../config.js';
import { GATEWAY_CONFIG, GATEWAY_LOGGER } from '../tokens.js';
import { IdempotencyStore, type CompletedResponse } from './idempotency.store.js';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed';
const ACCEPTABLE_KEY = /^[\x21-\x7e]{1,255}$/;
/** Response headers worth replaying (the body and status are always). */
const REPLAYED_HEADERS = ['location', 'content-location'];

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * API.md's Idempotency-Key on routes marked `@Idempotent()`: the first request with a key runs and
 * its successful response is recorded; the same key with the same body replays it (status, body,
 * Location) with `Idempotent-Replayed: true`; with another body → 422 IDEMPOTENCY_KEY_REUSED; while
 * the first is still running → 409 IDEMPOTENCY_KEY_IN_PROGRESS. Keys are scoped to the caller (user,
 * else client IP), the method and the path, so two callers' keys never meet. A failed request
 * records nothing: the key is released and the client may retry with it.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly store: IdempotencyStore,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
    @Inject(GATEWAY_CONFIG) private readonly config: Pick<GatewayConfig, 'IDEMPOTENCY_LOCK_S'>,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const header = request.headers[IDEMPOTENCY_KEY_HEADER];
    if (header === undefined) return next.handle();
    if (typeof header !== 'string' || !ACCEPTABLE_KEY.test(header)) {
      throw DomainException.validation([{ field: 'Idempotency-Key', message: 'must be 1-255 visible ASCII characters' }]);
    }

    const path = request.url.split('?', 1)[0]!;
    const scope = request.principal ? `user:${request.principal.userId}` : `ip:${request.ip}`;
    const key = sha256(`${scope}\n${request.method}\n${path}\n${header}`);
    const fingerprint = sha256(JSON.stringify(request.body ?? null));

    let outcome;
    try {
      outcome = await this.store.begin(key, fingerprint);
    } catch (err) {
      this.logger.error({ err }, 'idempotency store unavailable');
      throw new DomainException('SERVICE_UNAVAILABLE', 'Idempotency keys cannot be checked right now; retry shortly.', { status: 503 });
    }

    if (outcome.kind === 'existing') {
      const { record } = outcome;
      if (record.fingerprint !== fingerprint) {
        throw new DomainException('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with another request body.', { status: 422 });
      }
      if (record.state === 'in_progress') {
        throw new DomainException('IDEMPOTENCY_KEY_IN_PROGRESS', 'A request with this Idempotency-Key is still being processed; retry shortly.', {
          status: 409,
        });
      }
      for (const [name, value] of Object.entries(record.response.headers)) reply.header(name, value);
      reply.header(IDEMPOTENT_REPLAYED_HEADER, 'true');
      return of(record.response.body);
    }

    const lease = new HeldKey(this.store, key, fingerprint, outcome.revision, (this.config.IDEMPOTENCY_LOCK_S * 1000) / 3, this.logger);
    return next.handle().pipe(
      mergeMap((body) =>
        from(
          (async () => {
            const response: CompletedResponse = { status: reply.statusCode, body: body ?? null, headers: replayedHeaders(reply) };
            const revision = await lease.end();
            await this.store.complete(key, revision, fingerprint, lease.startedAt, response).catch((err: unknown) => {
              // The response still goes out; a retry with this key will run again (or wait for the lock to go stale).
              this.logger.error({ err }, 'could not record an idempotent response');
            });
            return body;
          })(),
        ),
      ),
      catchError((err: unknown) => from(lease.end().then((revision) => this.release(key, revision)).then(() => Promise.reject(err)))),
      // However the handler ends (or is unsubscribed), the lease is renewed no more.
      finalize(() => void lease.end()),
    );
  }

  /**
   * Frees the key of a failed request so the client may retry with it. Fixed (issue 15): when NATS
   * was away at that moment the key stayed "in progress" until IDEMPOTENCY_LOCK_S (then 60 s), and every
   * retry of a sign-up got 409 IDEMPOTENCY_KEY_IN_PROGRESS for a minute after a 1.5 s blip. Now the
   * release is retried in the background (the error answer does not wait for it).
   */
  private async release(key: string, revision: number): Promise<void> {
    try {
      await this.store.release(key, revision);
      return;
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'could not release an idempotency key; retrying in the background');
    }
    void (async () => {
      const deadline = Date.now() + this.config.IDEMPOTENCY_LOCK_S * 1000;
      for (let attempt = 1; Date.now() < deadline; attempt++) {
        await new Promise((r) => setTimeout(r, backoffDelay(attempt, 250, 2_000)).unref());
        try {
          await this.store.release(key, revision);
          return;
        } catch (err) {
          // Already gone (an earlier try went through, its answer lost) or replaced: nothing to free.
          if (/wrong last sequence|not found/i.test((err as Error).message ?? '')) return;
        }
      }
    })();
  }
}

/**
 * The in-progress lock of a request while it runs, renewed every third of IDEMPOTENCY_LOCK_S so that
 * a slow request keeps it and a replica that dies mid-request frees it within IDEMPOTENCY_LOCK_S
 * (it used to hold it a fixed 60 s: a gateway restarted mid-burst left every client's retry at 409
 * IDEMPOTENCY_KEY_IN_PROGRESS for most of a minute). Renewals run one at a time and `end` waits for
 * the last, so completion and release use the lock's current revision.
 */
class HeldKey {
  readonly startedAt = Date.now();
  private chain: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly store: IdempotencyStore,
    private readonly key: string,
    private readonly fingerprint: string,
    private revision: number,
    everyMs: number,
    private readonly logger: Logger,
  ) {
    this.timer = setInterval(() => {
      this.chain = this.chain.then(async () => {
        try {
          this.revision = await this.store.renew(this.key, this.revision, this.fingerprint, this.startedAt);
        } catch (err) {
          // Taken over (it went stale while NATS was away) or NATS is away now: the next one tries again.
          this.logger.warn({ err: (err as Error).message }, 'could not renew an idempotency key');
        }
      });
    }, everyMs);
    this.timer.unref();
  }

  /** Stops renewing; the lock's revision once the last renewal is done. */
  async end(): Promise<number> {
    clearInterval(this.timer);
    await this.chain;
    return this.revision;
  }
}

function replayedHeaders(reply: FastifyReply): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = reply.getHeader(name);
    if (value !== undefined) out[name] = String(value);
  }
  return out;
}
