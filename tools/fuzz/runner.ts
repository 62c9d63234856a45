import { Agent, request as httpRequest } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { casesFor, type FuzzCase } from './cases.js';
import { judge } from './oracle.js';
import { operationsOf, type OpenApiDocument, type Operation } from './openapi.js';
import { changedTables, RECORDS_REFUSALS, type StateProbe, type StateSnapshot } from './state.js';

export interface Principal {
  name: string;
  headers: Record<string, string>;
  /** Anonymous callers get only a few cases on protected operations (they all end at the guard). */
  anonymous?: boolean;
}

export interface FuzzOptions {
  baseUrl: string;
  principals: readonly Principal[];
  seed: number;
  /** Body cases per operation and principal. */
  bodyCases: number;
  knownIds: readonly string[];
  /** Operations not sent, with why (by design they end the caller's session or change credentials). */
  skip: ReadonlyMap<string, string>;
  /** When given, stored state is compared around the refused requests (replayed once everything settled). */
  state?: StateProbe;
  /** Accepted writes (non-GET 2xx) per operation and principal before its valid cases stop (bounds what is created). */
  maxAcceptedWrites?: number;
  /**
   * Services of this build that answer no RPC yet (skeletons), with why: a 503 SERVICE_UNAVAILABLE
   * naming one of them is counted in `unserved`, not a failure. Everything else that is a 5xx fails.
   */
  unservedServices?: ReadonlyMap<string, string>;
  requestTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface FuzzFailure {
  operation: string;
  principal: string;
  label: string;
  request: string;
  status: number;
  problems: string[];
  response: string;
}

export interface FuzzReport {
  seed: number;
  operations: number;
  requests: number;
  byStatus: Record<string, number>;
  skipped: Array<{ operation: string; reason: string }>;
  failures: FuzzFailure[];
  /** Refused requests sent again around a state comparison. */
  replayed: number;
  stateChecked: boolean;
  /** Tables that kept changing with no request in flight (left out of the comparison). */
  unsettled: string[];
  /** Ids the platform answered with on accepted POSTs (what the run created). */
  created: string[];
  /** 503 SERVICE_UNAVAILABLE answers naming an `unservedServices` service, by `service: operation`. */
  unserved: Record<string, number>;
}

interface Sent {
  status: number;
  contentType?: string;
  body: string;
}

const ANONYMOUS_CASES = 4;

/** The fuzzer: every operation of the document, every principal, deterministic for a seed. */
export class Fuzzer {
  private readonly agent: Agent;
  private readonly report: FuzzReport;
  private readonly log: (line: string) => void;

  constructor(
    private readonly doc: OpenApiDocument,
    private readonly options: FuzzOptions,
  ) {
    this.agent = options.baseUrl.startsWith('https:') ? new HttpsAgent({ keepAlive: true, maxSockets: 4 }) : new Agent({ keepAlive: true, maxSockets: 4 });
    this.log = options.log ?? (() => undefined);
    this.report = { seed: options.seed, operations: 0, requests: 0, byStatus: {}, skipped: [], failures: [], replayed: 0, stateChecked: false, unsettled: [], created: [], unserved: {} };
  }

  async run(): Promise<FuzzReport> {
    const operations = operationsOf(this.doc);
    this.report.operations = operations.length;
    const refused: Array<{ op: Operation; principal: Principal; c: FuzzCase }> = [];
    for (const [index, op] of operations.entries()) {
      const reason = this.options.skip.get(op.id);
      if (reason) {
        this.report.skipped.push({ operation: op.id, reason });
        continue;
      }
      const cases = casesFor(op, { seed: this.options.seed, bodyCases: this.options.bodyCases, knownIds: this.options.knownIds }, index);
      const counts: Record<string, number> = {};
      for (const principal of this.options.principals) {
        const mine = principal.anonymous && !op.isPublic ? pickSpread(cases, ANONYMOUS_CASES) : cases;
        let acceptedWrites = 0;
        for (const c of mine) {
          if (c.valid && op.method !== 'GET' && acceptedWrites >= (this.options.maxAcceptedWrites ?? 2)) continue;
          const res = await this.send(c, principal);
          const cls = `${Math.floor(res.status / 100)}xx`;
          counts[cls] = (counts[cls] ?? 0) + 1;
          if (res.status >= 200 && res.status < 300 && op.method !== 'GET') {
            acceptedWrites++;
            this.noteCreated(op, res);
          }
          if (res.status >= 400 && res.status < 500) refused.push({ op, principal, c });
          this.check(c, principal, res);
        }
      }
      this.log(`${op.method.padEnd(6)} ${op.path.padEnd(52)} ${Object.entries(counts).map(([k, v]) => `${k}:${v}`).join(' ')}`);
    }
    if (this.options.state) await this.replayRefused(this.options.state, refused);
    this.agent.destroy();
    return this.report;
  }

  /** Refused requests again, once nothing else moves: the state must be what it was (issue 16). */
  private async replayRefused(state: StateProbe, refused: Array<{ op: Operation; principal: Principal; c: FuzzCase }>): Promise<void> {
    this.report.stateChecked = true;
    const ignore = new Set(RECORDS_REFUSALS);
    const settle = async (): Promise<StateSnapshot> => {
      const { snapshot, moving } = await settled(state);
      for (const t of moving) {
        ignore.add(t);
        if (!this.report.unsettled.includes(t)) this.report.unsettled.push(t);
      }
      return snapshot;
    };
    const groups = new Map<string, Array<{ op: Operation; principal: Principal; c: FuzzCase }>>();
    for (const r of refused) groups.set(r.op.id, [...(groups.get(r.op.id) ?? []), r]);
    let before = await settle();
    for (const [operation, items] of groups) {
      let stillRefused = true;
      for (const { principal, c } of items) {
        const res = await this.send(c, principal);
        this.report.replayed++;
        this.check(c, principal, res);
        if (res.status < 400 || res.status >= 500) stillRefused = false;
      }
      const after = await state.snapshot();
      const changed = stillRefused ? changedTables(before, after, ignore) : [];
      if (changed.length) {
        // Find the requests responsible by halving the group, each half replayed on a settled state.
        const find = async (part: typeof items): Promise<Array<{ item: (typeof items)[number]; res: Sent; tables: string[] }>> => {
          const s0 = await settle();
          const answers: Sent[] = [];
          for (const { principal, c } of part) {
            answers.push(await this.send(c, principal));
            this.report.replayed++;
          }
          const tables = changedTables(s0, await state.snapshot(), ignore);
          if (!tables.length) return [];
          if (part.length === 1) return [{ item: part[0]!, res: answers[0]!, tables }];
          const mid = Math.ceil(part.length / 2);
          const left = await find(part.slice(0, mid));
          return left.length ? left : find(part.slice(mid));
        };
        const culprits = await find(items);
        for (const { item, res, tables } of culprits) {
          if (res.status >= 400 && res.status < 500) this.fail(item.c, item.principal, res, [`refused with ${res.status} but changed ${tables.join(', ')}`]);
        }
        // No request of the group changes anything again: what moved was background work (a
        // supervisor, a late event), not a refusal. Those tables are reported and left out from here on.
        if (!culprits.length) {
          for (const t of changed) {
            ignore.add(t);
            if (!this.report.unsettled.includes(t)) this.report.unsettled.push(t);
          }
          this.log(`state: ${changed.join(', ')} moved during ${operation}, but replaying its refused requests changes nothing; left out as background`);
        }
      }
      before = stillRefused && !changed.length ? after : await settle();
    }
  }

  private noteCreated(op: Operation, res: Sent): void {
    if (op.method !== 'POST') return;
    try {
      const id = (JSON.parse(res.body) as { id?: unknown }).id;
      if (typeof id === 'string') this.report.created.push(id);
    } catch {
      // not JSON: nothing created that we can name
    }
  }

  private check(c: FuzzCase, principal: Principal, res: Sent): void {
    const service = res.status === 503 ? unavailableService(res.body) : undefined;
    if (service && this.options.unservedServices?.has(service)) {
      const key = `${service}: ${c.operation}`;
      this.report.unserved[key] = (this.report.unserved[key] ?? 0) + 1;
      return;
    }
    const verdict = judge(res.status, res.contentType, res.body);
    if (!verdict.ok) this.fail(c, principal, res, verdict.problems);
  }

  private fail(c: FuzzCase, principal: Principal, res: Sent, problems: string[]): void {
    const body = c.body === undefined ? '' : ` ${c.body.length > 300 ? `${c.body.slice(0, 300)}…(${c.body.length} chars)` : c.body}`;
    this.report.failures.push({
      operation: c.operation,
      principal: principal.name,
      label: c.label,
      request: `${c.method} ${c.url.length > 300 ? `${c.url.slice(0, 300)}…` : c.url}${body}`,
      status: res.status,
      problems,
      response: res.body.slice(0, 500),
    });
  }

  private send(c: FuzzCase, principal: Principal): Promise<Sent> {
    this.report.requests++;
    const url = new URL(this.options.baseUrl);
    const headers: Record<string, string> = { ...principal.headers, accept: 'application/json' };
    if (c.body !== undefined) {
      headers['content-type'] = c.contentType ?? 'application/json';
      headers['content-length'] = String(Buffer.byteLength(c.body));
    }
    const requester = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<Sent>((resolve) => {
      const done = (sent: Sent) => {
        const key = String(sent.status);
        this.report.byStatus[key] = (this.report.byStatus[key] ?? 0) + 1;
        resolve(sent);
      };
      // The path goes on the wire exactly as the case wrote it (no URL normalisation of `..`, `%ff`).
      const req = requester(
        { host: url.hostname, port: url.port, method: c.method, path: `${url.pathname.replace(/\/$/, '')}${onTheWire(c.url)}`, headers, agent: this.agent, timeout: this.options.requestTimeoutMs ?? 15_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => done({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', (err) => done({ status: 0, body: String(err) }));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (err) => done({ status: 0, body: String(err) }));
      req.end(c.body);
    });
  }
}

/** Escapes what may not appear in a request line (spaces, quotes, braces…), keeping `%XX` as written. */
function onTheWire(url: string): string {
  return url.replace(/[^\x21-\x7e]|["<>\\^`{|}]/gu, (ch) => encodeURIComponent(ch));
}

/** The service a 503 SERVICE_UNAVAILABLE problem names, if that is what the body is. */
function unavailableService(body: string): string | undefined {
  try {
    const problem = JSON.parse(body) as { code?: unknown; service?: unknown };
    return problem.code === 'SERVICE_UNAVAILABLE' && typeof problem.service === 'string' ? problem.service : undefined;
  } catch {
    return undefined;
  }
}

/** `n` cases spread over the list (first, last and between). */
function pickSpread<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  return Array.from({ length: n }, (_, i) => items[Math.round((i * (items.length - 1)) / (n - 1))]!);
}

/**
 * Waits until two snapshots half a second apart agree (outbox relays, event handlers, provisioning
 * finish what accepted requests started). Tables still moving at the deadline are returned.
 */
async function settled(state: StateProbe, deadlineMs = 60_000): Promise<{ snapshot: StateSnapshot; moving: string[] }> {
  const deadline = Date.now() + deadlineMs;
  let previous = await state.snapshot();
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    const current = await state.snapshot();
    const moving = changedTables(previous, current, new Set());
    if (!moving.length) return { snapshot: current, moving: [] };
    if (Date.now() > deadline) return { snapshot: current, moving };
    previous = current;
  }
}
