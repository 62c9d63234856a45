import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { Logger } from 'pino';
import { DataSource, In } from 'typeorm';
import { Clock, SERVICE_CONFIG, SERVICE_LOGGER } from '@saas/service-kit';
import { parseRetrySchedule, type WebhooksConfig } from '../config.js';
import { EndpointSecrets } from '../endpoints/endpoint-secrets.js';
import { EndpointStatus } from '../endpoints/endpoint-status.js';
import { WebhookEndpoint } from '../endpoints/webhook-endpoint.entity.js';
import { DeliveryQueue } from './delivery-queue.js';
import { LeaseOwner } from './lease-owner.js';
import { webhookAttempts, webhookEndpointsDisabled, webhookFailures, webhookLatency } from './delivery-metrics.js';
import { nextRetryDelayMs, parseRetryAfter } from './retry-schedule.js';
import { SuccessRecorder, whileDatabaseBlips } from './success-recorder.js';
import { WebhookAttempt } from './webhook-attempt.entity.js';
import { WebhookDelivery } from './webhook-delivery.entity.js';
import { succeeded2xx, WebhookSender, type RunHandle, type WebhookResponse } from './webhook-sender.js';

const INTERVAL_NAME = 'webhook-deliveries';

/** Deliveries of one endpoint claimed and sent together, one after the other. */
const RUN_LENGTH = 64;
/** A lease outlives the request it covers by this much. */
const LEASE_MARGIN_MS = 10_000;

/**
 * A delivery's lease is free when it has none, it ran out, or the replica holding it is gone (its
 * LeaseOwner lock is not in `live`): a SIGKILLed replica's deliveries are sent again at once, not
 * after the request timeout and margin.
 */
const leaseFree = (q: string) => `(${q}.locked_until IS NULL OR ${q}.locked_until < $1 OR (${q}.locked_by IS NOT NULL AND ${q}.locked_by::bigint NOT IN (SELECT owner FROM live)))`;

type ClaimedDelivery = Pick<WebhookDelivery, 'id' | 'endpointId' | 'eventId' | 'body' | 'attemptsCount'>;

/** What sending needs of an endpoint, read with the claim. */
type ClaimedEndpoint = Pick<
  WebhookEndpoint,
  'id' | 'tenantId' | 'url' | 'headers' | 'enabled' | 'rateLimit' | 'secret' | 'previousSecret' | 'previousSecretExpiresAt' | 'consecutiveFailures' | 'failingSince'
>;

/**
 * Sends queued deliveries. Each endpoint is a queue of its own, in event-time order: only its oldest
 * pending delivery (its head) may be sent, and only when due and not in flight elsewhere. Heads of
 * different endpoints go out side by side (up to WEBHOOK_CONCURRENCY per replica), so one slow or
 * dead endpoint holds one slot and its own queue, never another's. Replicas share the work: a head is
 * claimed with `FOR UPDATE SKIP LOCKED` and leased (`locked_until`) while its request runs; a replica
 * that dies mid-request leaves a lease that expires and the delivery is sent again, same webhook-id.
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Runs being sent: stopped at shutdown. */
  private readonly runs = new Set<RunHandle>();
  /**
   * Endpoints whose head failed here and waits for its retry (epoch ms it is due). A new delivery
   * for one of them cannot go before its head, so its NOTIFY needs no claim; the poll takes the
   * head when it is due. Per replica, a hint only: the claim itself never reads it.
   */
  private readonly backingOff = new Map<string, number>();
  /** Endpoints in flight that a NOTIFY named meanwhile: claimed again as soon as their run ends. */
  private readonly dirty = new Set<string>();
  /** The last claim took as many runs as it had room for: heads may be waiting for a free slot. */
  private saturated = false;
  /** Endpoints a NOTIFY named while a claim ran: its snapshot may predate their new rows. */
  private readonly wokenDuringClaim = new Set<string>();
  /**
   * Endpoints NOTIFYs named (not in flight here) since the last claim began. One the next claim
   * sees committed and still does not take has a head that is not due (a retry ahead, another
   * replica's lease, a rate limit): its NOTIFYs claim nothing until the next poll.
   */
  private readonly named = new Set<string>();
  private readonly schedule: number[];
  private readonly recorder: SuccessRecorder;
  private ticking = false;
  private again = false;
  private stopped = false;

  constructor(
    private readonly ds: DataSource,
    private readonly queue: DeliveryQueue,
    private readonly owner: LeaseOwner,
    private readonly sender: WebhookSender,
    private readonly secrets: EndpointSecrets,
    private readonly status: EndpointStatus,
    private readonly clock: Clock,
    private readonly scheduler: SchedulerRegistry,
    @Inject(SERVICE_CONFIG) private readonly config: WebhooksConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {
    this.schedule = parseRetrySchedule(config.WEBHOOK_RETRY_SCHEDULE_S);
    this.recorder = new SuccessRecorder(ds);
  }

  onApplicationBootstrap(): void {
    // One set of loops, however often the hook is called.
    if (this.scheduler.doesExist('interval', INTERVAL_NAME)) return;
    // Endpoints with a run in flight are claimed again when it ends: a wake-up only for them needs no claim.
    this.queue.onWake((endpointIds) => {
      // A wake-up with no endpoints (a retry, a recovery, an endpoint enabled): anything may be due now.
      if (!endpointIds) {
        this.backingOff.clear();
        void this.tick();
        return;
      }
      const now = Date.now();
      let claim = false;
      for (const id of endpointIds) {
        if (this.ticking) this.wokenDuringClaim.add(id);
        if (this.inFlight.has(id)) this.dirty.add(id);
        else if ((this.backingOff.get(id) ?? 0) <= now) {
          this.named.add(id);
          claim = true;
        }
      }
      if (claim) void this.tick();
    });
    this.scheduler.addInterval(INTERVAL_NAME, setInterval(() => void this.tick(), this.config.WEBHOOK_POLL_MS));
    void this.tick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const run of this.runs) run.stop();
    if (this.scheduler.doesExist('interval', INTERVAL_NAME)) this.scheduler.deleteInterval(INTERVAL_NAME);
    await Promise.allSettled([...this.inFlight.values()]);
    await this.owner.close();
  }

  /** One pass: claim what is due and start sending it. Overlapping calls fold into one more pass. */
  async tick(): Promise<void> {
    if (this.stopped) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = true;
    try {
      do {
        this.again = false;
        await this.claimAndStart();
      } while (this.again && !this.stopped);
    } catch (err) {
      this.logger.warn({ err }, 'webhook delivery pass failed; the next one retries');
    } finally {
      this.ticking = false;
    }
  }

  /**
   * Claims, in one statement, runs of due deliveries from the endpoints whose head (oldest pending
   * delivery, found through the queue index per endpoint, so a long backlog behind a dead endpoint
   * costs nothing here) is due: up to RUN_LENGTH in event order, cut before the first one that is not
   * due. A run is sent one after the other by one task, without a claim per delivery; its endpoints
   * are read in a second statement, whatever the number claimed.
   */
  private async claimAndStart(): Promise<void> {
    const free = this.config.WEBHOOK_CONCURRENCY - this.inFlight.size;
    if (free <= 0) return;
    this.wokenDuringClaim.clear();
    const asked = [...this.named];
    this.named.clear();
    const now = this.clock.now();
    const lease = new Date(now.getTime() + this.config.WEBHOOK_TIMEOUT_MS + LEASE_MARGIN_MS);
    const rows: Array<{
      id: string;
      endpoint_id: string;
      event_id: string;
      body: string;
      attempts_count: number;
      rn: number;
      tenant_id: string | null;
      url: string;
      headers: Record<string, string>;
      enabled: boolean;
      rate_limit: number | null;
      secret: string;
      previous_secret: string | null;
      previous_secret_expires_at: Date | null;
      consecutive_failures: number;
      failing_since: Date | null;
    }> = await this.ds.query(
      // The UPDATE in a CTE: the result is a SELECT's, rows (an UPDATE's would be TypeORM's [rows, count]).
      `WITH live AS MATERIALIZED (
         -- The replicas alive now: each holds its advisory lock (LeaseOwner) on a session of its own.
         SELECT l.objid::bigint AS owner FROM pg_locks l
          WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND l.classid = $6::bigint::oid
            AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())),
       heads AS (
         SELECT e.id AS endpoint_id FROM webhook_endpoints e
          CROSS JOIN LATERAL (
                SELECT q.next_attempt_at, q.locked_until, q.locked_by FROM webhook_deliveries q
                 WHERE q.endpoint_id = e.id AND q.status = 'pending'
                 ORDER BY q.occurred_at, q.created_at, q.id LIMIT 1) h
          WHERE e.enabled AND NOT (e.id = ANY($3::uuid[]))
            AND h.next_attempt_at <= $1 AND ${leaseFree('h')}
          ORDER BY h.next_attempt_at
          LIMIT $2),
       runs AS (
         SELECT r.id, r.rn FROM heads CROSS JOIN LATERAL (
                SELECT w.id, w.rn, min(CASE WHEN NOT w.due THEN w.rn END) OVER () AS first_not_due FROM (
                       SELECT q.id, row_number() OVER (ORDER BY q.occurred_at, q.created_at, q.id) AS rn,
                              (q.next_attempt_at <= $1 AND ${leaseFree('q')}) AS due
                         FROM webhook_deliveries q
                        WHERE q.endpoint_id = heads.endpoint_id AND q.status = 'pending'
                        ORDER BY q.occurred_at, q.created_at, q.id LIMIT $5) w) r
          WHERE r.rn < coalesce(r.first_not_due, $5 + 1)),
       claimed AS (
         UPDATE webhook_deliveries d SET locked_until = $4, locked_by = $7
          -- The due test again, on the row locked: a replica whose snapshot predates another's claim
          -- would otherwise take a row that claim has just leased (only the id was re-checked).
          WHERE d.id IN (SELECT x.id FROM webhook_deliveries x
                          WHERE x.id IN (SELECT id FROM runs) AND x.status = 'pending'
                            AND x.next_attempt_at <= $1 AND ${leaseFree('x')}
                            FOR UPDATE SKIP LOCKED)
          RETURNING d.id, d.endpoint_id, d.event_id, d.body, d.attempts_count, d.occurred_at, d.created_at)
       SELECT c.id, c.endpoint_id, c.event_id, c.body, c.attempts_count, runs.rn::int AS rn, e.*
         FROM claimed c JOIN runs ON runs.id = c.id
         -- The endpoint once, on its run's head (a run without its head is not sent: see below).
         LEFT JOIN LATERAL (
              SELECT x.tenant_id, x.url, x.headers, x.enabled, x.rate_limit, x.secret, x.previous_secret, x.previous_secret_expires_at,
                     x.consecutive_failures, x.failing_since
                FROM webhook_endpoints x WHERE x.id = c.endpoint_id AND runs.rn = 1) e ON true
        ORDER BY c.occurred_at, c.created_at, c.id`,
      [now, free, [...this.inFlight.keys()], lease, RUN_LENGTH, this.owner.namespace, this.owner.current],
    );
    // Named, committed before this claim, and not taken although there was room: not due now.
    const notDue = (taken: ReadonlySet<string>) => {
      if (taken.size >= free) return;
      const until = Date.now() + this.config.WEBHOOK_POLL_MS;
      for (const id of asked) if (!taken.has(id) && !this.inFlight.has(id) && !this.wokenDuringClaim.has(id)) this.backingOff.set(id, until);
    };
    if (rows.length === 0) {
      notDue(new Set());
      return;
    }
    notDue(new Set(rows.map((r) => r.endpoint_id)));
    // The endpoints come with the claim (no second statement).
    const endpoints = new Map<string, ClaimedEndpoint>();
    for (const r of rows) {
      if (r.rn !== 1 || !r.url || endpoints.has(r.endpoint_id)) continue;
      endpoints.set(r.endpoint_id, {
        id: r.endpoint_id,
        tenantId: r.tenant_id,
        url: r.url,
        headers: r.headers,
        enabled: r.enabled,
        rateLimit: r.rate_limit,
        secret: r.secret,
        previousSecret: r.previous_secret,
        previousSecretExpiresAt: r.previous_secret_expires_at,
        consecutiveFailures: r.consecutive_failures,
        failingSince: r.failing_since,
      });
    }
    // A run holds from its head on without a gap. Another replica claiming the same endpoint at the
    // same instant takes the rows first; what this claim got past them is not its to send (released).
    const runs = new Map<string, ClaimedDelivery[]>();
    const stray: string[] = [];
    for (const row of rows) {
      const run = runs.get(row.endpoint_id) ?? [];
      if (row.rn !== run.length + 1) {
        stray.push(row.id);
        continue;
      }
      run.push({ id: row.id, endpointId: row.endpoint_id, eventId: row.event_id, body: row.body, attemptsCount: row.attempts_count });
      runs.set(row.endpoint_id, run);
    }
    if (stray.length > 0) await this.release(stray);
    this.saturated = runs.size >= free;
    for (const [endpointId, run] of runs) {
      this.backingOff.delete(endpointId);
      // A NOTIFY for it during the claim may name a row the claim did not see: look again after the run.
      if (this.wokenDuringClaim.has(endpointId)) this.dirty.add(endpointId);
      else this.dirty.delete(endpointId);
      let more = true;
      const task = this.deliverRun(run, endpoints.get(endpointId), lease)
        .then((rest) => {
          more = rest || run.length >= RUN_LENGTH;
        })
        .catch((err: unknown) => this.logger.error({ err, endpoint_id: endpointId }, 'webhook delivery failed unexpectedly; its lease expires and it is tried again'))
        .finally(() => {
          this.inFlight.delete(endpointId);
          // A claim when there may be something to take: this endpoint's queue went on past the run
          // (a full run, deliveries left unsent, a NOTIFY meanwhile), or others wait for a slot. A
          // run that took all that was due leaves nothing a claim would find (it cost one per
          // delivery); the poll covers the rest.
          if (this.dirty.delete(endpointId) || more || this.saturated) void this.tick();
        });
      this.inFlight.set(endpointId, task);
    }
  }

  /**
   * One endpoint's run, in order: the sender sends it (on its thread: ADR 0019) and stops after
   * the first delivery that did not succeed (its queue waits for that one's retry), at shutdown,
   * or when another request might outlive the lease; this thread records each attempt as it is
   * reported, in order, and the deliveries not sent are released for the next claim. Returns
   * whether deliveries of the run were left unsent.
   */
  private async deliverRun(run: ClaimedDelivery[], endpoint: ClaimedEndpoint | undefined, lease: Date): Promise<boolean> {
    // Disabled (or deleted) since: nothing is sent, the run is released.
    if (!endpoint?.enabled) {
      await this.release(run.map((d) => d.id));
      return true;
    }
    // Plain successes go to the recorder, which stores them with every other run's (one statement
    // for what was sent meanwhile). The sender has at most RUN_UNSTORED_MAX of them unstored, and
    // the run ends only once all of them are stored (a claim must find them done). Until then
    // their rows stay pending under this run's lease, so nothing claims them; should the process
    // die first, they are sent again (same webhook-id) when the lease expires, as a request in
    // flight would be.
    const unrecorded: Array<Promise<void>> = [];
    const stored = async () => {
      while (unrecorded.length > 0) await unrecorded.shift();
    };
    let storedCount = 0;
    let failed: { err: unknown } | undefined;
    let recording = Promise.resolve();
    const handle: RunHandle = this.sender.startRun(
      {
        endpointId: endpoint.id,
        url: endpoint.url,
        headers: endpoint.headers,
        rateLimit: endpoint.rateLimit,
        secrets: this.secrets.signingSecrets(endpoint, this.clock.now()),
        deliveries: run.map((d) => ({ id: d.id, eventId: d.eventId, body: d.body })),
        startBefore: lease.getTime() - this.config.WEBHOOK_TIMEOUT_MS - 1_000,
      },
      (index, response) => {
        const delivery = run[index]!;
        const ok = this.count(endpoint, response);
        // The common case — a success on an endpoint with no failure run to reset — is recorded
        // with others; the rest in a transaction of its own, in order (the run's earlier successes
        // first). Only this run changes the endpoint's failure run (one in flight per endpoint).
        recording = recording
          .then(async () => {
            if (failed) return;
            if (ok && endpoint.consecutiveFailures === 0 && !endpoint.failingSince) {
              const recorded = this.recorder.add({
                deliveryId: delivery.id,
                attempts: delivery.attemptsCount + 1,
                at: this.clock.now(),
                statusCode: response.status!,
                latencyMs: response.latencyMs,
                snippet: response.snippet,
              });
              unrecorded.push(recorded);
              // Stored in the order added: the count says how many of the run's are stored.
              void recorded.then(
                () => handle.stored(++storedCount),
                (err: unknown) => {
                  failed ??= { err };
                  handle.stop();
                },
              );
            } else {
              await stored();
              await this.record(delivery, response, ok);
              if (ok) handle.stored(++storedCount);
            }
            // The failure run is reset by a success; the endpoint read at the claim no longer says so.
            if (ok) Object.assign(endpoint, { consecutiveFailures: 0, failingSince: null });
          })
          .catch((err: unknown) => {
            failed ??= { err };
            handle.stop();
          });
      },
    );
    this.runs.add(handle);
    if (this.stopped) handle.stop();
    let sent: number;
    try {
      sent = await handle.done;
    } finally {
      this.runs.delete(handle);
      await recording;
      await stored().catch((err: unknown) => (failed ??= { err }));
    }
    if (failed) throw failed.err;
    const rest = run.slice(sent).map((d) => d.id);
    if (rest.length > 0) await this.release(rest);
    return rest.length > 0;
  }

  /** Lets go of claimed deliveries not sent: the next claim takes them (Postgres gone for a moment: tried again). */
  private async release(ids: string[]): Promise<void> {
    await whileDatabaseBlips(() => this.ds.getRepository(WebhookDelivery).update({ id: In(ids), status: 'pending' }, { lockedUntil: null }));
  }

  /** An attempt in the metrics; whether it succeeded. */
  private count(endpoint: ClaimedEndpoint, response: WebhookResponse): boolean {
    const ok = succeeded2xx(response);
    webhookAttempts.inc({ endpoint: endpoint.id, outcome: ok ? 'succeeded' : response.status === null ? 'error' : 'failed' });
    webhookLatency.observe({ endpoint: endpoint.id }, response.latencyMs / 1000);
    if (!ok) webhookFailures.inc({ endpoint: endpoint.id, reason: response.status === null ? 'no_response' : String(response.status) });
    return ok;
  }

  /**
   * The attempt, the delivery's next state and the endpoint's failure run, in one transaction;
   * tried again while Postgres is unreachable (as the recorder's successes are). A transaction that
   * committed before its answer was lost is not applied twice: the delivery already counts the attempt.
   */
  private async record(delivery: ClaimedDelivery, response: WebhookResponse, ok: boolean): Promise<void> {
    await whileDatabaseBlips(() => this.recordOnce(delivery, response, ok));
  }

  private async recordOnce(delivery: ClaimedDelivery, response: WebhookResponse, ok: boolean): Promise<void> {
    await this.ds.transaction(async (tx) => {
      const now = this.clock.now();
      // The endpoint (and with it the delivery) may have been deleted while the request ran.
      const stored = await tx.findOne(WebhookDelivery, { where: { id: delivery.id }, select: { id: true, attemptsCount: true, status: true } });
      if (!stored || stored.status !== 'pending' || stored.attemptsCount > delivery.attemptsCount) return;
      await tx.insert(WebhookAttempt, {
        id: randomUUID(),
        deliveryId: delivery.id,
        attemptedAt: now,
        statusCode: response.status,
        latencyMs: response.latencyMs,
        responseSnippet: response.snippet,
        error: response.error ?? (ok ? null : `HTTP ${response.status}`),
      });
      const endpoint = await tx.findOne(WebhookEndpoint, { where: { id: delivery.endpointId }, lock: { mode: 'pessimistic_write' } });
      const attempts = delivery.attemptsCount + 1;
      const base = { attemptsCount: attempts, lastStatusCode: response.status, lockedUntil: null };
      if (ok) {
        await tx.update(WebhookDelivery, { id: delivery.id }, { ...base, status: 'succeeded', completedAt: now, nextAttemptAt: null });
        if (endpoint && (endpoint.consecutiveFailures > 0 || endpoint.failingSince)) {
          await tx.update(WebhookEndpoint, { id: endpoint.id }, { consecutiveFailures: 0, failingSince: null });
        }
        return;
      }
      const gone = response.status === 410;
      const retryAfter = response.status === 429 || response.status === 503 ? parseRetryAfter(response.retryAfter, now) : null;
      const delay = gone ? null : nextRetryDelayMs(this.schedule, attempts, retryAfter);
      if (delay === null) await tx.update(WebhookDelivery, { id: delivery.id }, { ...base, status: 'failed', completedAt: now, nextAttemptAt: null });
      else {
        await tx.update(WebhookDelivery, { id: delivery.id }, { ...base, nextAttemptAt: new Date(now.getTime() + delay) });
        this.backingOff.set(delivery.endpointId, Date.now() + delay);
      }
      if (!endpoint) return;
      endpoint.consecutiveFailures += 1;
      endpoint.failingSince ??= now;
      await tx.update(WebhookEndpoint, { id: endpoint.id }, { consecutiveFailures: endpoint.consecutiveFailures, failingSince: endpoint.failingSince });
      const reason = gone
        ? 'the endpoint answered 410 Gone'
        : this.config.WEBHOOK_DISABLE_AFTER_FAILURES > 0 && endpoint.consecutiveFailures >= this.config.WEBHOOK_DISABLE_AFTER_FAILURES
          ? `${endpoint.consecutiveFailures} failed attempts in a row`
          : now.getTime() - endpoint.failingSince.getTime() >= this.config.WEBHOOK_DISABLE_AFTER_S * 1000
            ? `failing continuously since ${endpoint.failingSince.toISOString()}`
            : null;
      if (reason && endpoint.enabled) {
        await this.status.disable(tx, endpoint, reason);
        webhookEndpointsDisabled.inc();
        this.logger.warn({ endpoint_id: endpoint.id, tenant_id: endpoint.tenantId, reason }, 'webhook endpoint disabled');
      }
    });
  }
}
