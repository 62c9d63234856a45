#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ApiError, OperationFailedError, SaasClient } from '@saas/sdk';
import { readConfig, writeConfig, type CliConfig } from './config.js';
import { ProgressBar, render } from './output.js';

const HELP = `saasctl — operate the SaaS control plane from a terminal

  saasctl login [--url URL] (--email E | --username U) [--password P] | --api-key sk_…
  saasctl logout
  saasctl tenants list [--status S] [--search Q] [--all]
  saasctl tenants create --name N [--subdomain S] [--plan P] [--database-strategy shared|dedicated] [--wait]
  saasctl tenants show|status ID
  saasctl tenants delete ID [--wait]
  saasctl tenants actions ID restart|stop|start [--wait]
  saasctl tenants actions ID suspend|resume|backup|migrate|retry --reason R     (admins)
  saasctl backups list TENANT_ID
  saasctl backups create TENANT_ID [--wait]
  saasctl backups restore TENANT_ID BACKUP_ID [--wait]
  saasctl backups show TENANT_ID BACKUP_ID
  saasctl backups schedule TENANT_ID [--cron 'daily 02:00'] [--timezone Z] [--keep-last N] [--keep-days N] [--enabled true|false]
  saasctl users list [--search Q]
  saasctl plans list
  saasctl subscriptions list [--tenant ID] [--status S]
  saasctl subscriptions create --tenant ID --plan P [--cycle monthly|yearly] [--seats N]
  saasctl subscriptions change ID [--plan P] [--seats N] [--cycle monthly|yearly]
  saasctl subscriptions cancel ID [--at-period-end]
  saasctl invoices list [--tenant ID] [--status S]
  saasctl invoices pdf ID [--out FILE]                      (default ./<invoice number>.pdf)
  saasctl webhooks list
  saasctl webhooks create --endpoint URL [--events tenant.*,backup.completed] [--description D]
  saasctl webhooks delete|test|rotate-secret ENDPOINT_ID
  saasctl webhooks recover ENDPOINT_ID --since ISO_TIME      (replay its failed messages)
  saasctl webhooks deliveries [--endpoint-id ID] [--status S] [--event-type T]
  saasctl webhooks retry DELIVERY_ID
  saasctl webhooks event-types
  saasctl integrations providers|events|health                (admins)
  saasctl admin stats

Every command: --output table|json (default table), --url URL. The password may come from
SAASCTL_PASSWORD; the session is kept in $SAASCTL_CONFIG (default ~/.config/saasctl/config.json).
Long operations with --wait show their progress and exit 1 with the problem's code if they fail.`;

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  strict: true,
  options: {
    url: { type: 'string' },
    email: { type: 'string' },
    username: { type: 'string' },
    password: { type: 'string' },
    'api-key': { type: 'string' },
    output: { type: 'string', short: 'o', default: 'table' },
    status: { type: 'string' },
    search: { type: 'string' },
    all: { type: 'boolean', default: false },
    name: { type: 'string' },
    subdomain: { type: 'string' },
    plan: { type: 'string' },
    'database-strategy': { type: 'string' },
    reason: { type: 'string' },
    events: { type: 'string' },
    endpoint: { type: 'string' },
    description: { type: 'string' },
    wait: { type: 'boolean', default: false },
    tenant: { type: 'string' },
    cycle: { type: 'string' },
    seats: { type: 'string' },
    'at-period-end': { type: 'boolean', default: false },
    out: { type: 'string' },
    'endpoint-id': { type: 'string' },
    'event-type': { type: 'string' },
    since: { type: 'string' },
    cron: { type: 'string' },
    timezone: { type: 'string' },
    'keep-last': { type: 'string' },
    'keep-days': { type: 'string' },
    enabled: { type: 'string' },
    timeout: { type: 'string', default: '600' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

const output = flags.output === 'json' ? 'json' : 'table';
const print = (data: unknown, columns?: string[]): void => {
  process.stdout.write(`${render(data, output, columns)}\n`);
};
const fail = (code: string, detail: string): never => {
  process.stderr.write(`error: ${code}: ${detail}\n`);
  process.exit(1);
};
const need = (value: string | undefined, what: string): string => value ?? fail('USAGE', `${what} is required (saasctl --help)`);
const timeoutMs = Number(flags.timeout) * 1000;
/** A whole-number flag, or a usage error naming it. */
const count = (value: string | undefined, what: string): number | undefined => {
  if (value === undefined) return undefined;
  return /^\d+$/.test(value) ? Number(value) : fail('USAGE', `${what} must be a whole number`);
};
/** The flags present, as a body or query (absent flags are left out, not sent as undefined). */
const present = <T extends Record<string, unknown>>(fields: T): Partial<T> =>
  Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
const subscriptionColumns = ['id', 'tenant_id', 'plan', 'status', 'billing_cycle', 'max_users', 'current_period_end'];
const endpointColumns = ['id', 'url', 'event_types', 'enabled', 'tenant_id'];

function client(config: CliConfig | null): SaasClient {
  const url = flags.url ?? config?.url ?? process.env.SAASCTL_URL ?? 'http://localhost:3000';
  if (!config && !flags['api-key']) fail('NOT_LOGGED_IN', 'run `saasctl login` first');
  return new SaasClient({
    baseUrl: url,
    ...(config?.apiKey ? { apiKey: config.apiKey } : {}),
    ...(config?.tokens ? { tokens: config.tokens } : {}),
    onTokens: (tokens) => writeConfig({ url, tokens }),
  });
}

/** Polls `get` until `done` says so; draws the progress; throws when it failed. */
async function follow<T extends { status: string; progress: number; step: string | null }>(
  get: () => Promise<T>,
  ok: string,
  failed: (t: T) => string | null,
): Promise<T> {
  const bar = new ProgressBar();
  const deadline = Date.now() + timeoutMs;
  let delay = 200;
  for (;;) {
    const t = await get();
    bar.update(t.progress, `${t.status}${t.step ? `: ${t.step}` : ''}`);
    if (t.status === ok) {
      bar.done();
      return t;
    }
    const reason = failed(t);
    if (reason !== null) {
      bar.done();
      throw new OperationFailedError(t.status, reason);
    }
    if (Date.now() > deadline) {
      bar.done();
      fail('TIMEOUT', `still ${t.status} after ${flags.timeout} s`);
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(2_000, Math.round(delay * 1.5));
  }
}

async function run(): Promise<void> {
  const [group, command, ...args] = positionals;
  if (flags.help || !group) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const config = readConfig();

  if (group === 'login') {
    const url = flags.url ?? config?.url ?? process.env.SAASCTL_URL ?? 'http://localhost:3000';
    if (flags['api-key']) {
      const sdk = new SaasClient({ baseUrl: url, apiKey: flags['api-key'] });
      const me = await sdk.unwrap(sdk.api.GET('/api/v1/auth/me'));
      writeConfig({ url, apiKey: flags['api-key'] });
      return print({ logged_in: me.email, url, with: 'api_key' });
    }
    const password = flags.password ?? process.env.SAASCTL_PASSWORD ?? fail('USAGE', '--password (or SAASCTL_PASSWORD) is required');
    const sdk = new SaasClient({ baseUrl: url, onTokens: (tokens) => writeConfig({ url, tokens }) });
    const tokens = await sdk.login({ ...(flags.email ? { email: flags.email } : { username: need(flags.username, '--email or --username') }), password });
    return print({ logged_in: tokens.user.email, url, roles: tokens.user.roles.join(',') });
  }
  if (group === 'logout') {
    if (config?.tokens) await client(config).logout().catch(() => undefined);
    writeConfig({ url: config?.url ?? 'http://localhost:3000' });
    return print({ logged_out: true });
  }

  const sdk = client(config);
  const tenantColumns = ['id', 'name', 'slug', 'status', 'plan', 'access_url'];
  switch (`${group} ${command ?? ''}`.trim()) {
    case 'tenants list': {
      const query = { ...(flags.status ? { status: flags.status as never } : {}), ...(flags.search ? { search: flags.search } : {}), page_size: 100 };
      if (!flags.all) return print((await sdk.tenants.list(query)).results, tenantColumns);
      const all = [];
      for await (const t of sdk.tenants.all(query)) all.push(t);
      return print(all, tenantColumns);
    }
    case 'tenants create': {
      const body = {
        name: need(flags.name, '--name'),
        ...(flags.subdomain ? { subdomain: flags.subdomain } : {}),
        ...(flags.plan ? { plan: flags.plan as never } : {}),
        ...(flags['database-strategy'] ? { database_strategy: flags['database-strategy'] as never } : {}),
      };
      const created = await sdk.tenants.create(body);
      if (!flags.wait) return print(created, tenantColumns);
      await follow(() => sdk.tenants.status(created.id), 'active', (s) => (s.status === 'error' ? (s.error ?? 'failed') : null));
      return print(await sdk.tenants.get(created.id), tenantColumns);
    }
    case 'tenants show':
      return print(await sdk.tenants.get(need(args[0], 'the tenant id')), output === 'table' ? [...tenantColumns, 'database_strategy', 'owner_id', 'created_at'] : undefined);
    case 'tenants status':
      return print(await sdk.tenants.status(need(args[0], 'the tenant id')), ['id', 'name', 'status', 'progress', 'step', 'error']);
    case 'tenants delete': {
      const id = need(args[0], 'the tenant id');
      const deleting = await sdk.tenants.delete(id);
      if (!flags.wait) return print(deleting, tenantColumns);
      return print(await follow(() => sdk.tenants.status(id), 'deleted', (s) => (s.status === 'error' ? (s.error ?? 'failed') : null)), ['id', 'name', 'status', 'progress']);
    }
    case 'tenants actions': {
      const id = need(args[0], 'the tenant id');
      const action = need(args[1], 'the action');
      const instance = ['restart', 'stop', 'start'].includes(action) && !flags.reason;
      const accepted = instance
        ? await sdk.unwrap(sdk.api.POST('/api/v1/tenants/{id}/instance/actions', { params: { path: { id } }, body: { action: action as never } }))
        : await sdk.unwrap(sdk.api.POST('/api/v1/admin/tenants/{id}/actions', { params: { path: { id } }, body: { action: action as never, ...(flags.reason ? { reason: flags.reason } : {}) } }));
      if (!flags.wait) return print(accepted);
      const target = action === 'stop' ? 'stopped' : action === 'suspend' ? 'suspended' : 'active';
      return print(await follow(() => sdk.tenants.status(id), target, (s) => (s.status === 'error' ? (s.error ?? 'failed') : null)), ['id', 'status', 'progress', 'step']);
    }
    case 'backups list': {
      const id = need(args[0], 'the tenant id');
      const page = await sdk.unwrap(sdk.api.GET('/api/v1/tenants/{id}/backups', { params: { path: { id }, query: { page_size: 100 } } }));
      return print(page.results, ['id', 'type', 'status', 'size_bytes', 'created_at', 'expires_at']);
    }
    case 'backups create': {
      const id = need(args[0], 'the tenant id');
      const accepted = await sdk.unwrap(sdk.api.POST('/api/v1/tenants/{id}/backups', { params: { path: { id } }, body: {} }));
      const columns = ['id', 'type', 'status', 'progress', 'size_bytes', 'checksum'];
      if (!flags.wait) return print(accepted.backup, columns);
      const get = async () => sdk.unwrap(sdk.api.GET('/api/v1/tenants/{id}/backups/{backup_id}', { params: { path: { id, backup_id: accepted.backup.id } } }));
      return print(await follow(get, 'completed', (b) => (b.status === 'failed' ? failureOf(b.error) : null)), columns);
    }
    case 'backups restore': {
      const id = need(args[0], 'the tenant id');
      const backupId = need(args[1], 'the backup id');
      const accepted = await sdk.unwrap(sdk.api.POST('/api/v1/tenants/{id}/backups/{backup_id}/restore', { params: { path: { id, backup_id: backupId } }, body: {} }));
      const columns = ['id', 'backup_id', 'status', 'progress', 'safety_backup_id', 'rolled_back'];
      if (!flags.wait) return print(accepted.restore, columns);
      const get = async () => sdk.unwrap(sdk.api.GET('/api/v1/tenants/{id}/restores/{restore_id}', { params: { path: { id, restore_id: accepted.restore.id } } }));
      return print(await follow(get, 'completed', (r) => (r.status === 'failed' ? failureOf(r.error) : null)), columns);
    }
    case 'users list': {
      const page = await sdk.unwrap(sdk.api.GET('/api/v1/users', { params: { query: { page_size: 100, ...(flags.search ? { search: flags.search } : {}) } } }));
      return print(page.results, ['id', 'email', 'full_name', 'role', 'tier', 'is_active']);
    }
    case 'backups show': {
      const id = need(args[0], 'the tenant id');
      const backupId = need(args[1], 'the backup id');
      return print(await sdk.unwrap(sdk.api.GET('/api/v1/tenants/{id}/backups/{backup_id}', { params: { path: { id, backup_id: backupId } } })));
    }
    case 'backups schedule': {
      const id = need(args[0], 'the tenant id');
      const columns = ['tenant_id', 'schedule', 'timezone', 'enabled', 'keep_last', 'keep_days', 'next_run_at'];
      const changes = present({
        schedule: flags.cron,
        timezone: flags.timezone,
        keep_last: count(flags['keep-last'], '--keep-last'),
        keep_days: count(flags['keep-days'], '--keep-days'),
        enabled: flags.enabled === undefined ? undefined : flags.enabled === 'true' ? true : flags.enabled === 'false' ? false : fail('USAGE', '--enabled must be true or false'),
      });
      if (Object.keys(changes).length === 0) return print(await sdk.unwrap(sdk.api.GET('/api/v1/tenants/{id}/backup-schedule', { params: { path: { id } } })), columns);
      const now = await sdk.unwrap(sdk.api.GET('/api/v1/tenants/{id}/backup-schedule', { params: { path: { id } } }));
      const body = { schedule: now.schedule, timezone: now.timezone, enabled: now.enabled, keep_last: now.keep_last, keep_days: now.keep_days, ...changes };
      return print(await sdk.unwrap(sdk.api.PUT('/api/v1/tenants/{id}/backup-schedule', { params: { path: { id } }, body: body as never })), columns);
    }
    case 'plans list': {
      const page = await sdk.unwrap(sdk.api.GET('/api/v1/billing/plans'));
      return print(page.results, ['code', 'name', 'tier', 'trial_days', 'seats_included']);
    }
    case 'subscriptions list': {
      const query = present({ tenant_id: flags.tenant, status: flags.status as never, page_size: 100 });
      return print((await sdk.unwrap(sdk.api.GET('/api/v1/billing/subscriptions', { params: { query } }))).results, subscriptionColumns);
    }
    case 'subscriptions create': {
      const body = {
        tenant_id: need(flags.tenant, '--tenant'),
        plan: need(flags.plan, '--plan') as never,
        ...present({ billing_cycle: flags.cycle as never, max_users: count(flags.seats, '--seats') }),
      };
      return print(await sdk.unwrap(sdk.api.POST('/api/v1/billing/subscriptions', { body })), subscriptionColumns);
    }
    case 'subscriptions change': {
      const id = need(args[0], 'the subscription id');
      const body = present({ plan: flags.plan as never, billing_cycle: flags.cycle as never, max_users: count(flags.seats, '--seats') });
      if (Object.keys(body).length === 0) fail('USAGE', 'say what changes: --plan, --seats or --cycle');
      return print(await sdk.unwrap(sdk.api.PUT('/api/v1/billing/subscriptions/{id}', { params: { path: { id } }, body })), subscriptionColumns);
    }
    case 'subscriptions cancel': {
      const id = need(args[0], 'the subscription id');
      const query = flags['at-period-end'] ? { at_period_end: true } : {};
      return print(await sdk.unwrap(sdk.api.DELETE('/api/v1/billing/subscriptions/{id}', { params: { path: { id }, query: query as never } })), subscriptionColumns);
    }
    case 'invoices list': {
      const query = present({ tenant_id: flags.tenant, status: flags.status as never, page_size: 100 });
      return print((await sdk.unwrap(sdk.api.GET('/api/v1/billing/invoices', { params: { query } }))).results, ['id', 'number', 'tenant_id', 'status', 'total', 'currency', 'issued_at']);
    }
    case 'invoices pdf': {
      const id = need(args[0], 'the invoice id');
      const invoice = await sdk.unwrap(sdk.api.GET('/api/v1/billing/invoices/{id}', { params: { path: { id } } }));
      const { data, error, response } = await sdk.api.GET('/api/v1/billing/invoices/{id}/pdf', { params: { path: { id } }, parseAs: 'arrayBuffer' });
      if (error !== undefined || !data) return sdk.unwrap(Promise.resolve({ data, error, response }));
      const file = flags.out ?? `${String(invoice.number ?? id).replace(/[^\w.-]+/g, '_')}.pdf`;
      writeFileSync(file, Buffer.from(data as ArrayBuffer));
      return print({ invoice: invoice.number ?? id, written: file, bytes: (data as ArrayBuffer).byteLength });
    }
    case 'webhooks list': {
      const page = await sdk.unwrap(sdk.api.GET('/api/v1/webhooks/endpoints', { params: { query: { page_size: 100 } } }));
      return print(page.results, endpointColumns);
    }
    case 'webhooks create': {
      const body = {
        url: need(flags.endpoint, '--endpoint'),
        ...(flags.events ? { event_types: flags.events.split(',').map((e) => e.trim()) } : {}),
        ...(flags.description ? { description: flags.description } : {}),
      };
      return print(await sdk.unwrap(sdk.api.POST('/api/v1/webhooks/endpoints', { body })));
    }
    case 'webhooks delete': {
      const id = need(args[0], 'the endpoint id');
      return print(await sdk.unwrap(sdk.api.DELETE('/api/v1/webhooks/endpoints/{id}', { params: { path: { id } } })), endpointColumns);
    }
    case 'webhooks test': {
      const id = need(args[0], 'the endpoint id');
      return print(await sdk.unwrap(sdk.api.POST('/api/v1/webhooks/endpoints/{id}/test', { params: { path: { id } }, body: {} as never })), ['id', 'event_type', 'status', 'attempts_count', 'last_status_code']);
    }
    case 'webhooks rotate-secret': {
      const id = need(args[0], 'the endpoint id');
      return print(await sdk.unwrap(sdk.api.POST('/api/v1/webhooks/endpoints/{id}/rotate-secret', { params: { path: { id } }, body: {} as never })));
    }
    case 'webhooks recover': {
      const id = need(args[0], 'the endpoint id');
      const since = need(flags.since, '--since');
      return print(await sdk.unwrap(sdk.api.POST('/api/v1/webhooks/endpoints/{id}/recover', { params: { path: { id } }, body: { since } })));
    }
    case 'webhooks deliveries': {
      const query = present({ endpoint_id: flags['endpoint-id'], status: flags.status as never, event_type: flags['event-type'], page_size: 100 });
      const page = await sdk.unwrap(sdk.api.GET('/api/v1/webhooks/deliveries', { params: { query } }));
      return print(page.results, ['id', 'endpoint_id', 'event_type', 'status', 'attempts_count', 'last_status_code', 'created_at']);
    }
    case 'webhooks retry': {
      const id = need(args[0], 'the delivery id');
      return print(await sdk.unwrap(sdk.api.POST('/api/v1/webhooks/deliveries/{id}/retry', { params: { path: { id } }, body: {} as never })), ['id', 'event_type', 'status', 'attempts_count']);
    }
    case 'webhooks event-types': {
      const page = await sdk.unwrap(sdk.api.GET('/api/v1/webhooks/event-types'));
      return print(page.results.map((t) => ({ type: t.type })), ['type']);
    }
    case 'integrations providers': {
      const page = await sdk.unwrap(sdk.api.GET('/api/v1/integrations/providers', { params: { query: { page_size: 100 } } }));
      return print(page.results, ['id', 'name', 'auth_type', 'signature_scheme', 'is_active', 'webhook_url']);
    }
    case 'integrations events': {
      const page = await sdk.unwrap(sdk.api.GET('/api/v1/integrations/events', { params: { query: present({ status: flags.status as never, page_size: 100 }) } }));
      return print(page.results, ['id', 'provider', 'type', 'status', 'received_at']);
    }
    case 'integrations health':
      return print(await sdk.unwrap(sdk.api.GET('/api/v1/integrations/health')));
    case 'admin stats':
      return print(await sdk.unwrap(sdk.api.GET('/api/v1/admin/stats')));
    default:
      fail('USAGE', `unknown command "${positionals.join(' ')}" (saasctl --help)`);
  }
}

function failureOf(error: { step?: string | null; part?: string | null; reason?: string } | null): string {
  if (!error) return 'failed';
  return [error.part, error.step, error.reason].filter(Boolean).join(': ');
}

run().then(
  () => process.exit(0),
  (err: unknown) => {
    if (err instanceof ApiError) fail(err.code, err.problem.detail ?? err.message);
    if (err instanceof OperationFailedError) fail('OPERATION_FAILED', `${err.status}${err.reason ? `: ${err.reason}` : ''}`);
    if (err instanceof TypeError && /fetch failed/.test(err.message)) fail('UNREACHABLE', `cannot reach the platform (${(err.cause as Error | undefined)?.message ?? err.message})`);
    fail('ERROR', err instanceof Error ? err.message : String(err));
  },
);
