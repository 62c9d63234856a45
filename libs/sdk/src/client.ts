import createFetchClient, { type Client } from 'openapi-fetch';
import { ApiError, OperationFailedError, toApiError } from './errors.js';
import type { components, paths } from './schema.js';

export type Schemas = components['schemas'];
export type Tenant = Schemas['TenantViewDto'];
export type TenantStatus = Schemas['TenantStatusViewDto'];
export type TokenResponse = Schemas['TokenResponseDto'];
export type User = Schemas['UserViewDto'];
export type Instance = Schemas['InstanceViewDto'];
export type InstanceMetrics = Schemas['InstanceMetricsViewDto'];
export type TenantMember = Schemas['TenantMemberListItemDto'];
export type TenantActionAccepted = Schemas['TenantActionAcceptedDto'];
export type AdminStats = Schemas['AdminStatsDto'];
export type Backup = Schemas['BackupDoc'];
export type Restore = Schemas['RestoreDoc'];
export type Subscription = Schemas['SubscriptionViewDto'];
export type Invoice = Schemas['InvoiceViewDto'];
export type WebhookEndpoint = Schemas['WebhookEndpointViewDto'];

/** The list envelope of every list route (`#/components/schemas/Page`) with its items typed. */
export type Page<T> = Omit<Schemas['Page'], 'results'> & { results: T[] };

export interface Tokens {
  access_token: string;
  refresh_token?: string;
}

export interface ClientOptions {
  /** Where the gateway is, e.g. `http://localhost:3000`. */
  baseUrl: string;
  /** Authenticate with an API key (`sk_…`) instead of a login. */
  apiKey?: string;
  /** Tokens of an earlier login (e.g. read back from a file); refreshed as needed. */
  tokens?: Tokens;
  /** Told of every new token pair (after login and each rotation), to persist them. */
  onTokens?: (tokens: Tokens) => void;
  /** Send an `Idempotency-Key` with every POST that has none (default true): a retried create never creates twice. */
  idempotencyKeys?: boolean;
  fetch?: typeof fetch;
}

export interface WaitOptions {
  /** Give up after this long (default 5 minutes). */
  timeoutMs?: number;
  /** Called on every status change: status, progress 0–100, the current step. */
  onProgress?: (status: TenantStatus) => void;
}

/** A create or delete that runs in the background: the 202's resource, and a way to wait for the end. */
export type TenantOperation = Promise<Tenant> & {
  /** Resolves when the tenant is `active`; rejects with OperationFailedError when it ends in `error`. */
  untilActive(options?: WaitOptions): Promise<TenantStatus>;
  /** Resolves when the tenant is `deleted`. */
  untilDeleted(options?: WaitOptions): Promise<TenantStatus>;
};

const AUTH_PATHS = /\/api\/v1\/auth\/(login|refresh|register|verify-email|resend-verification|password\/)/;

/**
 * The SaaS control plane's API, typed from its OpenAPI document. `client.api` is the generated
 * openapi-fetch client for every route (`client.api.GET('/api/v1/tenants/{id}', { params: { path: { id } } })`);
 * the methods here add what every caller needs: login with automatic, rotation-aware refresh (one
 * refresh for all concurrent requests), API keys, pagination over `next`, idempotency keys on
 * creates, waiting for operations, and errors as `ApiError` with the problem's `code`.
 */
export class SaasClient {
  readonly api: Client<paths>;
  private tokens: Tokens | undefined;
  private refreshing: Promise<void> | undefined;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: ClientOptions) {
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.tokens = options.tokens;
    this.api = createFetchClient<paths>({ baseUrl: options.baseUrl.replace(/\/$/, ''), fetch: (request: Request) => this.send(request) });
  }

  /** The current tokens (after login or a refresh). */
  get currentTokens(): Tokens | undefined {
    return this.tokens;
  }

  // ------------------------------------------------------------------ auth

  /** `email` or `username` (which may hold the email) and the password; keeps the tokens for later calls. */
  async login(credentials: { email?: string; username?: string; password: string }): Promise<TokenResponse> {
    const tokens = await this.unwrap(this.api.POST('/api/v1/auth/login', { body: credentials as never }));
    this.setTokens(tokens);
    return tokens;
  }

  async logout(): Promise<void> {
    await this.unwrap(this.api.POST('/api/v1/auth/logout', { body: (this.tokens?.refresh_token ? { refresh_token: this.tokens.refresh_token } : {}) as never }));
    this.tokens = undefined;
  }

  /** Rotates the refresh token. Concurrent callers share one refresh; a token already rotated by another call is not refreshed again. */
  async refresh(staleAccessToken?: string): Promise<void> {
    if (this.refreshing) return this.refreshing;
    if (staleAccessToken && this.tokens?.access_token !== staleAccessToken) return; // someone refreshed meanwhile
    const refreshToken = this.tokens?.refresh_token;
    if (!refreshToken) throw new ApiError({ type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'No refresh token: log in again.', code: 'UNAUTHORIZED' });
    this.refreshing = (async () => {
      const res = await this.fetchImpl(`${this.options.baseUrl.replace(/\/$/, '')}/api/v1/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: refreshToken }),
      });
      if (!res.ok) throw await toApiError(res);
      this.setTokens((await res.json()) as Tokens);
    })().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  // ------------------------------------------------------------------ tenants

  readonly tenants = {
    list: (query: NonNullable<paths['/api/v1/tenants']['get']['parameters']['query']> = {}): Promise<Page<Tenant>> =>
      this.unwrap(this.api.GET('/api/v1/tenants', { params: { query } })),
    /** Every tenant of the caller, page after page. */
    all: (query: NonNullable<paths['/api/v1/tenants']['get']['parameters']['query']> = {}) => this.iterate<Tenant>(this.tenants.list({ page_size: 100, ...query })),
    get: (id: string): Promise<Tenant> => this.unwrap(this.api.GET('/api/v1/tenants/{id}', { params: { path: { id } } })),
    status: (id: string): Promise<TenantStatus> => this.unwrap(this.api.GET('/api/v1/tenants/{id}/status', { params: { path: { id } } })),
    /** 202: the tenant, `pending`; `await sdk.tenants.create({...}).untilActive()` waits for it to serve. */
    create: (body: paths['/api/v1/tenants']['post']['requestBody'] extends { content: { 'application/json': infer B } } ? B : never, options: { idempotencyKey?: string } = {}): TenantOperation =>
      this.operation(
        this.unwrap(this.api.POST('/api/v1/tenants', { body, ...(options.idempotencyKey ? { headers: { 'idempotency-key': options.idempotencyKey } } : {}) })),
      ),
    update: (id: string, body: NonNullable<paths['/api/v1/tenants/{id}']['patch']['requestBody']>['content']['application/json']): Promise<Tenant> =>
      this.unwrap(this.api.PATCH('/api/v1/tenants/{id}', { params: { path: { id } }, body })),
    delete: (id: string): TenantOperation => this.operation(this.unwrap(this.api.DELETE('/api/v1/tenants/{id}', { params: { path: { id } } }))),
    /** Polls the status with backoff until it reaches `want` (or `error`, which rejects). */
    waitFor: (id: string, want: string, options: WaitOptions = {}) => this.waitForStatus(id, want, options),
  };

  // ------------------------------------------------------------------ pagination

  /** Pages of a list, following `next` until the last page. */
  async *pages<T>(first: Promise<Page<T>>): AsyncGenerator<Page<T>> {
    let page = await first;
    yield page;
    while (page.next) {
      page = (await this.getUrl(page.next)) as Page<T>;
      yield page;
    }
  }

  /** Every item of a list, across pages. */
  async *iterate<T>(first: Promise<Page<T>>): AsyncGenerator<T> {
    for await (const page of this.pages(first)) yield* page.results;
  }

  // ------------------------------------------------------------------ plumbing

  /** `{ data, error, response }` of openapi-fetch → the data, or an ApiError with the problem. */
  async unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
    const { data, error, response } = await call;
    if (response.ok) return data as T;
    if (error && typeof error === 'object' && 'code' in error) throw new ApiError(error as never);
    throw new ApiError({ type: 'about:blank', title: response.statusText, status: response.status, detail: String(error ?? ''), code: `HTTP_${response.status}` });
  }

  private async getUrl(url: string): Promise<unknown> {
    const res = await this.send(new Request(url, { method: 'GET' }));
    if (!res.ok) throw await toApiError(res);
    return res.json();
  }

  private operation(created: Promise<Tenant>): TenantOperation {
    const op = created as TenantOperation;
    op.untilActive = async (options = {}) => this.waitForStatus((await created).id, 'active', options);
    op.untilDeleted = async (options = {}) => this.waitForStatus((await created).id, 'deleted', options);
    return op;
  }

  private async waitForStatus(id: string, want: string, options: WaitOptions): Promise<TenantStatus> {
    const deadline = Date.now() + (options.timeoutMs ?? 300_000);
    let delay = 200;
    let last = '';
    for (;;) {
      const status = await this.tenants.status(id);
      const seen = `${status.status}|${status.progress}|${status.step}`;
      if (seen !== last) options.onProgress?.(status);
      last = seen;
      if (status.status === want) return status;
      if (status.status === 'error' && want !== 'error') throw new OperationFailedError(status.status, status.error ?? null);
      if (Date.now() > deadline) throw new Error(`tenant ${id} is still ${status.status} (wanted ${want}) after ${options.timeoutMs ?? 300_000} ms`);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(2_000, Math.round(delay * 1.5));
    }
  }

  private setTokens(tokens: Tokens): void {
    this.tokens = { access_token: tokens.access_token, refresh_token: tokens.refresh_token };
    this.options.onTokens?.(this.tokens);
  }

  /** Every request: credentials, an idempotency key on POSTs, and one refresh-and-retry on a 401. */
  private async send(request: Request): Promise<Response> {
    const retry = request.clone();
    const used = this.authorize(request);
    const response = await this.fetchImpl(request);
    if (response.status !== 401 || !this.tokens?.refresh_token || this.options.apiKey || AUTH_PATHS.test(request.url)) return response;
    await this.refresh(used);
    this.authorize(retry);
    return this.fetchImpl(retry);
  }

  private authorize(request: Request): string | undefined {
    if (request.method === 'POST' && this.options.idempotencyKeys !== false && !request.headers.has('idempotency-key') && !AUTH_PATHS.test(request.url)) {
      request.headers.set('idempotency-key', crypto.randomUUID());
    }
    if (request.headers.has('authorization') || request.headers.has('x-api-key')) return undefined;
    if (this.options.apiKey) {
      request.headers.set('x-api-key', this.options.apiKey);
      return undefined;
    }
    if (this.tokens) request.headers.set('authorization', `Bearer ${this.tokens.access_token}`);
    return this.tokens?.access_token;
  }
}
