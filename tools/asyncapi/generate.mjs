#!/usr/bin/env node
// Generates docs/events.asyncapi.yaml, the public event contract (AsyncAPI 3.0), from the
// descriptions below. Edit this file and regenerate; never edit the YAML by hand:
//
//   node tools/asyncapi/generate.mjs
//
// Every `data` schema here must list what the code really sends: the `outbox.add(tx, { type, data })`
// calls in apps/**/src and the helpers that build `data` (e.g. toEventData in
// apps/tenants/src/tenants/tenant.view.ts). libs/contracts/src/events-contract.spec.ts checks that
// every type of EventTypes / IdentityEventTypes has a channel here, and that the rest are reserved.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

// The event catalogue (libs/contracts, built into dist): each `data` schema below is checked
// against its type's payload class, and its `required` list is the class's plus what the text marks
// required (fields that must be present but may be null). A class field left undescribed, a
// documented type that disagrees with the class, or a required field the class does not know fails
// the generation, so the document cannot drift from what producers are held to.
const CONTRACTS = new URL('../../dist/libs/contracts/src/index.js', import.meta.url);
if (!fs.existsSync(CONTRACTS)) throw new Error('build first (npm run build): the generator reads the event catalogue from dist/libs/contracts');
const { eventPayloadClass, jsonSchemaOf } = await import(CONTRACTS.href);

const OUTPUT = fileURLToPath(new URL('../../docs/events.asyncapi.yaml', import.meta.url));

// ------------------------------------------------------------------ schema helpers

const withDescription = (description) => (description ? { description } : {});
const uuid = (description) => ({ type: 'string', format: 'uuid', ...withDescription(description) });
const dt = (description) => ({ type: 'string', format: 'date-time', ...withDescription(description) });
const str = (description, extra = {}) => ({ type: 'string', ...withDescription(description), ...extra });
const int = (description, extra = {}) => ({ type: 'integer', ...withDescription(description), ...extra });
const bool = (description) => ({ type: 'boolean', ...withDescription(description) });
const strings = (description) => ({ type: 'array', items: { type: 'string' }, ...withDescription(description) });
const freeObject = (description) => ({ type: 'object', additionalProperties: true, ...withDescription(description) });
const ref = (name) => ({ $ref: `#/components/schemas/${name}` });
const nullable = (s) => ({ ...s, type: [s.type, 'null'] });
const minor = (description) => int(`${description} Integer minor units of \`currency\` (cents for USD, yen for JPY).`);
/** A `data` schema: always open (`additionalProperties: true`), fields may be added at any time. */
const data = (required, properties) => ({ type: 'object', additionalProperties: true, required, properties });

// ------------------------------------------------------------------ tenants service

/** `toEventData` (apps/tenants/src/tenants/tenant.view.ts): the tenant as every tenant.* event carries it. */
const tenantSnapshot = {
  tenant_id: uuid('The tenant (same as the envelope `tenant_id`).'),
  name: str('Display name.'),
  slug: str('DNS label of the tenant instance (`<slug>.<platform host>`); never reused.'),
  plan: ref('TenantPlan'),
  database_strategy: ref('DatabaseStrategy'),
  status: ref('TenantStatus'),
  owner_id: uuid('User who owns the tenant.'),
  domain: nullable(str('Custom domain, lower case, if any.')),
  custom_plugin_repo: nullable(str('Custom plugin repository of the tenant instance, if any.')),
  admin_email: nullable(str('Email of the tenant instance\'s admin account, if set. (Its password is never sent.)')),
  contact_email: nullable(str('Billing contact email, if set.')),
  billing_address: nullable(str('Billing address (free text), if set; printed on invoices.')),
};
const tenantSnapshotRequired = Object.keys(tenantSnapshot).filter((k) => k !== 'contact_email' && k !== 'billing_address');
const operationId = uuid('The tenant operation this event belongs to (as in `GET /tenants/{id}/status`); it is also the provisioning job id and the `operation_id` of the `provisioning.*` events.');
const tenantData = (extraRequired, extra) =>
  data([...tenantSnapshotRequired, ...extraRequired], { ...tenantSnapshot, operation_id: operationId, ...extra });
/** `operation` of tenant.operation_requested / deletion_requested, renamed `kind` (ADR 0018). */
const deprecatedOperation = {
  ...str('**Deprecated** (still sent, to be removed in the next major release): the same value as `kind`. Read `kind`, as in `provisioning.*`.'),
  deprecated: true,
};
const accessUrl = str('URL the tenant instance is served at (from `TENANT_URL_TEMPLATE`, e.g. `http://<slug>.localhost:3000`).');
const arrivalReason = str('Reason given for the change (e.g. by an admin action); absent when none was given.');
const operationRequest = {
  operation_id: operationId,
  reason: nullable(str('Reason given by whoever asked (admin actions); null when none.')),
  params: freeObject(
    'Parameters of the operation: `{ from, to }` plans for `resize`, `{ from, to }` strategies for `migrate_strategy`, `{ action, retry }` for admin actions, `{}` otherwise.',
  ),
};

// ------------------------------------------------------------------ provisioning service

const provisioningCore = {
  tenant_id: uuid(),
  operation_id: uuid('The tenant operation (and provisioning job) being run; as in the `tenant.*` event that requested it.'),
  kind: str(
    'The operation: `provision`, `resize`, `migrate_strategy`, `stop`, `start`, `restart`, `suspend`, `resume`, `migrate` or `delete` (the `operation` of the requesting `tenant.*` event); new values may be added.',
  ),
};
const provisioningRequired = Object.keys(provisioningCore);

// ------------------------------------------------------------------ identity service

const userProfile = {
  email: str('Email address, lower case.', { format: 'email' }),
  username: nullable(str('Username, if set.')),
  first_name: str(),
  last_name: str(),
  role: str('`user` or `admin`.'),
  tier: str('Plan tier: `standard`, `premium` or `enterprise`.'),
  is_active: bool('False when the account is deactivated.'),
  email_verified: bool(),
  metadata: freeObject('Free-form metadata set by the user or an admin.'),
};
const userChanges = {
  type: 'object',
  additionalProperties: true,
  description: 'The fields that changed: `old` and `new` hold the previous and current values of just those fields (names as in `user.created`). A password change appears only as `password_changed`.',
  required: ['old', 'new'],
  properties: { old: freeObject(), new: freeObject() },
};

// ------------------------------------------------------------------ backups service

const backupCore = {
  backup_id: uuid(),
  tenant_id: uuid(),
  type: str('`manual`, `scheduled`, `pre_restore` (safety copy before a restore) or `pre_deletion` (final backup).'),
  status: str('`running`, `completed` or `failed`.'),
  storage: str('`filesystem` or `s3`.'),
  operation_id: uuid('`pre_deletion` only: the tenant deletion (as in `tenant.deletion_requested`) waiting for this final backup; provisioning deprovisions the tenant once it is completed.'),
};
const backupRequired = ['backup_id', 'tenant_id', 'type', 'status', 'storage'];
const restoreCore = {
  restore_id: uuid(),
  backup_id: uuid('The backup restored.'),
  tenant_id: uuid('The tenant restored into: the backup\'s own, or a clone\'s new tenant.'),
  status: str('`running`, `completed` or `failed`.'),
  safety_backup_id: nullable(uuid('The `pre_restore` backup taken first; kept whatever happens.')),
  source_tenant_id: uuid('A clone (restore into a new tenant) only: the tenant the backup is of, which the restore does not touch. Absent in place.'),
};
const restoreRequired = ['restore_id', 'backup_id', 'tenant_id', 'status'];

// ------------------------------------------------------------------ billing

const failure = {
  reason: str('Human-readable cause of the failure.'),
  retryable: bool('True when retrying the same operation may succeed (transient cause).'),
  error_code: str('Stable upper-case code, e.g. `BACKUP_FAILED`.'),
};
const subscriptionCore = {
  subscription_id: uuid(),
  tenant_id: uuid(),
  plan: str('Plan code.'),
  status: str('`trialing`, `active`, `past_due`, `unpaid` or `canceled`; new values may be added.'),
  owner_id: uuid('Owner of the tenant.'),
  billing_cycle: str('`monthly` or `annually`.'),
  max_users: int('Seats.', { minimum: 1 }),
  amount: minor('Recurring price per billing cycle.'),
  currency: ref('Currency'),
  trial_ends_at: nullable(dt()),
  current_period_start: dt(),
  current_period_end: dt(),
  cancel_at_period_end: bool(),
  is_active: bool('Trialing, active or past due (seed 004).'),
  start_date: dt(),
  end_date: nullable(dt()),
};
const subscriptionRequired = ['subscription_id', 'tenant_id', 'plan', 'status', 'amount', 'currency'];
const invoiceCore = {
  invoice_id: uuid(),
  tenant_id: uuid(),
  subscription_id: nullable(uuid()),
  number: str('Sequential, gapless invoice number, e.g. `INV-2026-000123`.'),
  status: str('`draft`, `open`, `paid`, `void` or `uncollectible`.'),
  kind: str('`period` (a billing period) or `proration` (a mid-cycle change).'),
  amount: minor('Total due (subtotal + tax).'),
  subtotal: minor('Before tax.'),
  tax: minor('Tax.'),
  currency: ref('Currency'),
  period_start: dt(),
  period_end: dt(),
  due_at: dt(),
};
const invoiceRequired = ['invoice_id', 'tenant_id', 'number', 'status', 'amount', 'subtotal', 'tax', 'currency', 'period_start', 'period_end', 'due_at'];
const changedFields = strings('Names of the fields that changed; the other fields carry current values.');

// ------------------------------------------------------------------ the events

/**
 * type -> { summary, description?, reserved?: '<service>', data }. `reserved` marks a type the contract
 * promises but no service emits yet; its schema is the plan, not a description of running code.
 */
const events = {
  // ---------------------------------------------------------------- identity
  'user.created': {
    summary: 'A user account was created: self-registration, by an admin, or the first platform admin at bootstrap.',
    description:
      'Envelope `tenant_id` is null. `actor` is the new user (registration), the admin (admin create) or `system` (bootstrap). ' +
      'Registration sends `tier`, `email_verified` and `requested_tenant`; admin create sends every profile field; the bootstrap admin only the required ones.',
    data: data(['user_id', 'email', 'first_name', 'last_name', 'role', 'is_active'], {
      user_id: uuid(),
      ...userProfile,
      requested_tenant: nullable({
        type: 'object',
        additionalProperties: true,
        description: 'The tenant asked for at registration (`tenant_name`/`tenant_domain`); null when none.',
        required: ['name', 'domain'],
        properties: { name: str(), domain: nullable(str()) },
      }),
    }),
  },
  'user.updated': {
    summary: 'A user\'s profile, role, tier, active flag, email, verification or password changed.',
    description:
      'Envelope `tenant_id` is null. Sent by profile and admin updates (with `changes`), email verification (with `changes` and `email`) ' +
      'and when the bootstrap promotes an existing account to admin (then without `changes`, with `email`, `role`, `is_active`, `first_name`, `last_name`).',
    data: data(['user_id'], {
      user_id: uuid(),
      changes: userChanges,
      email: str('Current email (email verification, bootstrap promotion).', { format: 'email' }),
      password_changed: bool('Present (true) when the password was changed; the password itself is never sent.'),
      sessions_ended: int('Sessions ended by a password change or deactivation.', { minimum: 0 }),
      session_ids: { type: 'array', items: uuid(), description: 'With `sessions_ended`: the sessions ended (their access tokens are refused from now on).' },
      api_keys_revoked: int('API keys revoked because the account was deactivated (each also has its `api_key.revoked`).', { minimum: 0 }),
      role: str('Bootstrap promotion only: `admin`.'),
      is_active: bool('Bootstrap promotion only: true.'),
      first_name: str('Bootstrap promotion only.'),
      last_name: str('Bootstrap promotion only.'),
    }),
  },
  'user.deleted': {
    summary: 'A user account was deleted by an admin (its sessions, tokens and API keys go with it).',
    description: 'Envelope `tenant_id` is null.',
    data: data(['user_id', 'email'], { user_id: uuid(), email: str('Email of the deleted account.', { format: 'email' }) }),
  },
  'user.logged_in': {
    summary: 'A user logged in with a password and a new session started.',
    description: 'Envelope `tenant_id` is null; `actor` is the user, with the client IP and user agent. Failed logins are not published (see `security.account_locked`).',
    data: data(['user_id', 'session_id', 'method'], {
      user_id: uuid(),
      session_id: uuid('The new session (the access token\'s `sid`).'),
      method: str('`email` or `username`: what the user logged in with.'),
    }),
  },
  'user.logged_out': {
    summary: 'A user ended one or all of their sessions.',
    description: 'Envelope `tenant_id` is null. Not sent when the logout ended no session.',
    data: data(['user_id', 'session_ids', 'all'], {
      user_id: uuid(),
      session_ids: { type: 'array', items: uuid(), description: 'Sessions ended (at least one).' },
      all: bool('True when the user logged out of every session.'),
    }),
  },
  'user.password_reset': {
    summary: 'A user reset a forgotten password with an emailed token; every session was ended.',
    description: 'Envelope `tenant_id` is null. A reset also marks the email verified (the link proves the address) without a separate `user.updated`.',
    data: data(['user_id', 'sessions_ended', 'session_ids'], {
      user_id: uuid(),
      sessions_ended: int('Sessions ended by the reset.', { minimum: 0 }),
      session_ids: { type: 'array', items: uuid(), description: 'The sessions ended (their access tokens are refused from now on).' },
    }),
  },
  'user.email_verified': {
    summary: 'A user proved their email address for the first time (verification link, or a password reset link).',
    description:
      'Envelope `tenant_id` is null. The tenants service creates `requested_tenant` (asked for at registration) with the user as owner when it reacts to this event; `tenant.created` follows.',
    data: data(['user_id', 'email', 'requested_tenant'], {
      user_id: uuid(),
      email: str('The verified address.', { format: 'email' }),
      requested_tenant: nullable({
        type: 'object',
        additionalProperties: true,
        description: 'The tenant asked for at registration (`tenant_name`/`tenant_domain`); null when none.',
        required: ['name', 'domain'],
        properties: { name: str(), domain: nullable(str()) },
      }),
    }),
  },
  'api_key.created': {
    summary: 'An API key was created. The key itself is never sent, only its public prefix.',
    description: 'Envelope `tenant_id` is the tenant the key is bound to, or null.',
    data: data(['api_key_id', 'user_id', 'tenant_id', 'name', 'prefix', 'scopes', 'expires_at'], {
      api_key_id: uuid(),
      user_id: uuid('User the key acts for.'),
      tenant_id: nullable(uuid('Tenant the key is bound to; null when unbound.')),
      name: str(),
      prefix: str('Public, non-secret prefix `sk_<8 characters>`.'),
      scopes: strings(),
      expires_at: nullable(dt('When the key expires; null for never.')),
    }),
  },
  'api_key.revoked': {
    summary: 'An API key was revoked, by its user or an admin, or because its user was deactivated.',
    description: 'Envelope `tenant_id` is the tenant the key was bound to, or null.',
    data: data(['api_key_id', 'user_id', 'prefix', 'reason'], {
      api_key_id: uuid(),
      user_id: uuid('User the key acted for.'),
      prefix: str('Public prefix `sk_<8 characters>`.'),
      reason: str('`revoked` (explicit revocation) or `user_deactivated`.'),
    }),
  },
  'signing_key.rotated': {
    summary: 'The access-token signing key was rotated; the new public key is in the JWKS, the previous one is retired.',
    description: 'Envelope `tenant_id` is null; `actor` is the admin who asked, or `system` for scheduled and initial rotations. No key material is sent.',
    data: data(['signing_key_id', 'kid', 'previous_kid', 'reason'], {
      signing_key_id: str('Same value as `kid` (not a UUID).'),
      kid: str('Key id of the new key (JOSE `kid`).'),
      previous_kid: nullable(str('Key id of the retired key; null for the first key.')),
      reason: str('`requested` (admin), `scheduled` (key older than KEY_ROTATION_DAYS) or `initial` (no key yet).'),
    }),
  },
  'security.account_locked': {
    summary: 'Logins to an existing account were locked after too many failures.',
    description:
      'Envelope `tenant_id` is null; `actor` is `system` with the failing client\'s `ip` and `user_agent`. Only for existing accounts (never for unknown identifiers).',
    data: data(['user_id', 'scope', 'failures', 'locked_until', 'lock_seconds'], {
      user_id: uuid('The account.'),
      scope: str('`client`: this account from one client; `account`: this account from every client.'),
      failures: int('Failed attempts counted in the window.', { minimum: 1 }),
      locked_until: dt('End of the lock.'),
      lock_seconds: int('Lock length in seconds.', { minimum: 1 }),
    }),
  },
  'security.token_reuse_detected': {
    summary: 'An already-used refresh token was presented again; its session was revoked.',
    description: 'Envelope `tenant_id` is null; `actor` is `system` with the presenting client\'s `ip` and `user_agent`. The token is never sent.',
    data: data(['user_id', 'session_id', 'token_used_at'], {
      user_id: uuid('Owner of the session.'),
      session_id: uuid('The revoked session.'),
      token_used_at: dt('When the token was first used.'),
    }),
  },

  'security.blocked': {
    summary: 'An admin blocked an IP address, a CIDR range or an API key at the gateway.',
    description: 'Envelope `tenant_id` is null; `actor` is the admin. Every gateway replica enforces blocks within about a second (`POST /api/v1/security/threats`).',
    data: data(['block_id', 'target_type', 'target', 'reason', 'expires_at'], {
      block_id: uuid('The block (as listed in `GET /api/v1/security/threats`).'),
      target_type: str('`ip`, `cidr` or `api_key`.', { enum: ['ip', 'cidr', 'api_key'] }),
      target: str('The address, the range (`203.0.113.0/24`) or the API key id.'),
      reason: nullable(str('Why it was blocked.')),
      expires_at: nullable(dt('When the block lifts by itself; null: until unblocked.')),
    }),
  },
  'security.unblocked': {
    summary: 'An admin lifted a block of an IP address, a CIDR range or an API key.',
    description: 'Envelope `tenant_id` is null; `actor` is the admin. Every gateway replica enforces blocks within about a second (`POST /api/v1/security/threats`).',
    data: data(['block_id', 'target_type', 'target', 'reason', 'expires_at'], {
      block_id: uuid('The block (as listed in `GET /api/v1/security/threats`).'),
      target_type: str('`ip`, `cidr` or `api_key`.', { enum: ['ip', 'cidr', 'api_key'] }),
      target: str('The address, the range (`203.0.113.0/24`) or the API key id.'),
      reason: nullable(str('Why it was blocked.')),
      expires_at: nullable(dt('When the block lifts by itself; null: until unblocked.')),
    }),
  },
  // ---------------------------------------------------------------- tenants
  'tenant.created': {
    summary: 'A tenant was created in status `pending`; provisioning starts from this event.',
    description: 'Also followed by `tenant.member_added` for the owner. `operation_id` is the provisioning operation.',
    data: tenantData(['operation_id'], {}),
  },
  'tenant.updated': {
    summary: 'Tenant settings changed, or a plan or database strategy change was accepted or completed.',
    description:
      'Sent by `PUT`/`PATCH /tenants/{id}` and when a database strategy migration completes (then with `operation_id`). ' +
      'A plan change is applied to `plan` at once while its `resize` operation runs; a strategy change keeps the old `database_strategy` until the migration completes.',
    data: tenantData(['changes'], {
      changes: {
        type: 'object',
        description:
          'The changed fields only, before and after: `{ "old": { "<field>": … }, "new": { "<field>": … } }` (the same shape as `user.updated`). Fields: `name`, `domain`, `contact_email`, `billing_address`, `settings`, `metadata`, `custom_plugin_repo`, `admin_email`, `plan`, `database_strategy`, and `admin_password` whose values are always `"[REDACTED]"`.',
        required: ['old', 'new'],
        properties: { old: { type: 'object', additionalProperties: true }, new: { type: 'object', additionalProperties: true } },
      },
    }),
  },
  'tenant.status_changed': {
    summary: 'The tenant moved from one lifecycle state to another (every transition).',
    description: '`status` equals `to`. Arrival in `active`, `suspended`, `stopped` or `deleted` is also announced by its own event (`tenant.ready`, `.started`, `.resumed`, `.suspended`, `.stopped`, `.deleted`) right after this one.',
    data: tenantData(['from', 'to', 'reason'], {
      from: ref('TenantStatus'),
      to: ref('TenantStatus'),
      reason: nullable(str('Why: the failure for `error`, the reason given for admin actions; null when none.')),
    }),
  },
  'tenant.ready': {
    summary: 'First provisioning finished and the tenant is `active`: its instance is reachable.',
    description: 'Only from `pending`/`provisioning`; a return to `active` from `stopped`/`error` is `tenant.started`, from `suspended` `tenant.resumed`.',
    data: tenantData(['access_url'], { access_url: accessUrl, reason: arrivalReason }),
  },
  'tenant.started': {
    summary: 'The tenant is `active` again after being `stopped` or in `error` (start, or a retried operation succeeded).',
    data: tenantData(['access_url'], { access_url: accessUrl, reason: arrivalReason }),
  },
  'tenant.resumed': {
    summary: 'A `suspended` tenant is `active` again; its instance is serving.',
    data: tenantData(['access_url'], { access_url: accessUrl, reason: arrivalReason }),
  },
  'tenant.suspended': {
    summary: 'The tenant was suspended (admin action); its instance is stopped.',
    data: tenantData([], { reason: arrivalReason }),
  },
  'tenant.stopped': {
    summary: 'The tenant\'s instance was stopped (owner or admin action); its data is kept.',
    data: tenantData([], { reason: arrivalReason }),
  },
  'tenant.deleted': {
    summary: 'The tenant was deprovisioned (instance and database removed) and is `deleted`.',
    description: '`status` is `deleted`. The slug stays reserved for ever.',
    data: tenantData([], { reason: arrivalReason }),
  },
  'tenant.operation_requested': {
    summary: 'An operation on the tenant\'s resources was requested; the provisioning service runs it and reports with `provisioning.*`.',
    description:
      'The tenant fields are those at request time: for `resize`, `plan` is still the old plan (the new one is `params.to`). ' +
      'Provisioning a new tenant is requested by `tenant.created`, deletion by `tenant.deletion_requested`.',
    data: tenantData(['operation_id', 'kind', 'operation', 'reason', 'params'], {
      ...operationRequest,
      kind: str(
        'What to do: `resize`, `migrate_strategy`, `stop`, `start`, `restart`, `suspend`, `resume`, `migrate`, or the kind of a failed operation being retried; new values may be added. The same name as the `kind` of `provisioning.*`.',
      ),
      operation: deprecatedOperation,
    }),
  },
  'tenant.deletion_requested': {
    summary: 'Deletion of the tenant was requested; the provisioning service deprovisions it.',
    description: 'The tenant fields are those before deletion started (`status` is not yet `deleting`); a `tenant.status_changed` to `deleting` follows. Any running operation is superseded.',
    data: tenantData(['operation_id', 'kind', 'operation', 'reason', 'params'], {
      ...operationRequest,
      kind: str('Always `delete`.'),
      operation: deprecatedOperation,
    }),
  },
  'tenant.member_added': {
    summary: 'A user became a member of the tenant, or a member\'s role changed.',
    description: 'Sent for the owner when the tenant is created, and by `POST /tenants/{id}/users`.',
    data: data(['tenant_id', 'user_id', 'role'], {
      tenant_id: uuid(),
      user_id: uuid(),
      role: str('`owner`, `admin` or `member`.'),
      previous_role: nullable(str('Role before a role change; null for a new member; absent for the owner at creation.')),
    }),
  },
  'tenant.member_removed': {
    summary: 'A user left or was removed from the tenant (the owner never is).',
    data: data(['tenant_id', 'user_id', 'role'], {
      tenant_id: uuid(),
      user_id: uuid(),
      role: str('Role the user had: `admin` or `member`.'),
    }),
  },

  // ---------------------------------------------------------------- provisioning
  'provisioning.step': {
    summary: 'Progress of a tenant operation run by the provisioning service.',
    description: 'The envelope of `provisioning.*` events currently has `actor` `system` and null `correlation_id`/`causation_id`.',
    data: data([...provisioningRequired, 'step', 'progress'], {
      ...provisioningCore,
      step: str('Human-readable step name, e.g. `database`, `credentials`, `instance`, `ready`, `stopping instance`, `moving data`, `dropping database`, or a runtime sub-step.'),
      progress: int('Percent complete (a step never reports 100).', { minimum: 0, maximum: 99 }),
    }),
  },
  'provisioning.succeeded': {
    summary: 'A tenant operation completed; the tenants service moves the tenant to its target state.',
    description:
      '`access_url` is sent by operations that (re)start the instance; `runtime` by those that provision it (`provision`, `resize`, `migrate_strategy`, and `start`/`resume`/`restart`/`migrate` when the instance had to be created again); `database_strategy` by `migrate_strategy`. `stop`, `suspend` and `delete` send none of them.',
    data: data([...provisioningRequired, 'progress'], {
      ...provisioningCore,
      progress: int('Always 100.', { minimum: 100, maximum: 100 }),
      access_url: str('URL the runtime serves the instance at.'),
      runtime: str('`local` or `kubernetes`.'),
      service_ids: { type: 'object', additionalProperties: { type: 'string' }, description: 'Sent by `provision` and `resize`: the runtime\'s names of the tenant\'s resources (`web_service`, `database`; on Kubernetes also `service` and `ingress`). The tenant shows them as `service_ids`.' },
      database_strategy: ref('DatabaseStrategy'),
    }),
  },
  'provisioning.failed': {
    summary: 'A tenant operation failed; the tenants service puts the tenant in `error` with the reason.',
    data: data([...provisioningRequired, 'reason', 'retryable'], {
      ...provisioningCore,
      reason: str('Human-readable cause, prefixed with the failing step (`<step>: <error>`) when known.'),
      retryable: bool('False for permanent failures (an invalid operation or request, or too many interrupted attempts); true otherwise.'),
    }),
  },

  // ---------------------------------------------------------------- backups
  'backup.started': {
    summary: 'A tenant backup started running (its parts are being dumped and stored).',
    data: data(backupRequired, backupCore),
  },
  'backup.completed': {
    summary: 'A tenant backup was written and verified: every part is stored and its sha256 checked; it can be restored.',
    data: data([...backupRequired, 'size_bytes', 'duration_ms', 'checksum'], {
      ...backupCore,
      size_bytes: int('Bytes stored, all parts together.', { minimum: 0 }),
      duration_ms: int('How long the backup took.', { minimum: 0 }),
      checksum: str('sha256 of the manifest, which holds the sha256 of every part.', { pattern: '^[a-f0-9]{64}$' }),
      expires_at: nullable(dt('When retention deletes the archive; null when kept until deleted.')),
      retention_days: nullable(int('Days the archive is kept; null when kept until deleted.')),
    }),
  },
  'backup.failed': {
    summary: 'A tenant backup failed; nothing of it is offered for restore and its stored parts are deleted.',
    data: data([...backupRequired, 'reason'], {
      ...backupCore,
      part: nullable(str('The part that failed: `database`, `files`, `manifest` or `storage`.')),
      step: nullable(str('The step that failed, e.g. `dumping database`, `verifying files`.')),
      reason: str('Human-readable cause.'),
      will_retry: bool('`pre_deletion` only: the backup was interrupted or hit a transient failure and is being taken again; the deletion waits for that one. Absent otherwise.'),
    }),
  },
  'restore.started': {
    summary: 'A restore of a tenant from one of its backups started.',
    data: data(restoreRequired, restoreCore),
  },
  'restore.completed': {
    summary: 'A tenant was restored from a backup and its instance is running on the restored data.',
    data: data([...restoreRequired, 'duration_ms'], { ...restoreCore, duration_ms: int('How long the restore took.', { minimum: 0 }) }),
  },
  'restore.failed': {
    summary: 'A restore failed; the tenant is back on its data as it was (`rolled_back`) and the safety backup is kept.',
    data: data([...restoreRequired, 'reason', 'rolled_back'], {
      ...restoreCore,
      step: nullable(str('The step that failed, e.g. `validating archive`, `restoring database`.')),
      reason: str('Human-readable cause.'),
      rolled_back: bool('True when the tenant was put back on its previous data (false only when it never left it).'),
    }),
  },
  'backup.verification_failed': {
    summary: 'A restore drill failed: the backup could not be restored into a scratch database, or its tables or row counts differ from its manifest.',
    data: data(['backup_id', 'tenant_id', 'reason'], {
      backup_id: uuid('The backup drilled.'),
      tenant_id: uuid('Its tenant.'),
      reason: str('Human-readable cause.'),
      drill_id: uuid('The drill (`GET admin/backups/{backup_id}/drills/{drill_id}`: every table\'s recorded and restored rows).'),
    }),
  },
  'backup.schedule_changed': {
    summary: "A tenant's backup schedule was set, or a scheduled run moved it to its next time.",
    data: data(['tenant_id', 'enabled', 'next_run_at', 'schedule', 'timezone'], {
      tenant_id: uuid('The tenant.'),
      enabled: bool('False when scheduled backups are off.'),
      next_run_at: nullable(dt('When the next scheduled backup runs; null when disabled.')),
      schedule: str('The schedule as set: a cron expression or a preset such as `daily 02:00`.'),
      timezone: str('IANA time zone the schedule is read in.'),
    }),
  },

  // ---------------------------------------------------------------- billing service
  'subscription.created': {
    summary: 'A subscription was started for a tenant: a trial on paid plans, at once on free ones (billing step of the tenant saga, or `POST billing/subscriptions`).',
    data: data(subscriptionRequired, subscriptionCore),
  },
  'subscription.updated': {
    summary: 'A subscription changed: plan (with proration), seats, billing cycle, payment method, status (renewal, dunning) or cancellation.',
    data: data([...subscriptionRequired, 'changed_fields'], {
      ...subscriptionCore,
      changed_fields: changedFields,
      previous_plan: nullable(str('Plan before a plan change.')),
      proration_amount: minor('Net of a mid-cycle change: charge (positive) or credit (negative).'),
      invoice_id: uuid('The proration invoice a change was charged on, if any.'),
      decline_code: str('Why the charge that made it `past_due` failed.'),
      reason: str('Human-readable reason of that decline.'),
      seat_user_id: uuid('The user given a seat (`changed_fields` has `subscribed_user_ids`).'),
    }),
  },
  'subscription.canceled': {
    summary: 'A subscription ended: canceled now, at the end of its period, or because its tenant was deleted.',
    data: data([...subscriptionRequired, 'changed_fields'], { ...subscriptionCore, changed_fields: changedFields, previous_status: str() }),
  },
  'subscription.past_due': {
    summary: 'A renewal charge failed: dunning retries it on `BILLING_DUNNING_DAYS`; after the last retry the subscription is `unpaid` and the tenant is suspended (reason `billing`).',
    data: data([...subscriptionRequired, 'changed_fields'], {
      ...subscriptionCore,
      changed_fields: changedFields,
      previous_status: str(),
      decline_code: str('The provider\'s decline code, e.g. `card_declined`, `insufficient_funds`, `authentication_required`, `no_payment_method`.'),
      reason: str('Human-readable decline reason.'),
    }),
  },
  'invoice.created': {
    summary: 'An invoice was issued (a period start, or a prorated change), with its sequential number.',
    data: data(invoiceRequired, invoiceCore),
  },
  'invoice.paid': {
    summary: 'An invoice was paid in full (or issued at 0).',
    data: data(invoiceRequired, invoiceCore),
  },
  'invoice.voided': {
    summary: 'An open invoice was voided (its subscription was canceled or its tenant deleted).',
    data: data(invoiceRequired, invoiceCore),
  },
  'payment.succeeded': {
    summary: 'A payment was captured.',
    data: data(['payment_id', 'tenant_id', 'amount', 'currency', 'provider'], {
      payment_id: uuid(),
      invoice_id: nullable(uuid()),
      tenant_id: uuid(),
      amount: minor('Amount captured.'),
      currency: ref('Currency'),
      provider: str('Payment provider, e.g. `sandbox`.'),
      provider_payment_id: str(),
      paid_at: dt(),
      attempt: int(undefined, { minimum: 1 }),
      first_payment: bool('True on the charge that starts a subscription without a trial: the tenants saga holds the tenant in `error` (BILLING_ERROR) while it fails and provisions it once it succeeds.'),
    }),
  },
  'payment.failed': {
    summary: 'A payment attempt failed; dunning may retry it.',
    data: data(['payment_id', 'tenant_id', 'amount', 'currency', 'provider', 'reason', 'retryable'], {
      payment_id: uuid(),
      invoice_id: nullable(uuid()),
      tenant_id: uuid(),
      amount: minor('Amount attempted.'),
      currency: ref('Currency'),
      provider: str(),
      ...failure,
      decline_code: str('The provider\'s decline code.'),
      attempt: int(undefined, { minimum: 1 }),
      first_payment: bool('True on the charge that starts a subscription without a trial: the tenants saga holds the tenant in `error` (BILLING_ERROR) while it fails and provisions it once it succeeds.'),
    }),
  },

  // ---------------------------------------------------------------- webhooks service
  'webhook_endpoint.disabled': {
    summary: 'An outgoing webhook endpoint was disabled by the platform: it answered 410 Gone, or kept failing (WEBHOOK_DISABLE_AFTER_S / WEBHOOK_DISABLE_AFTER_FAILURES).',
    description:
      'Envelope `tenant_id` is the endpoint\'s tenant (null for a platform endpoint); `actor` is `system`. Its queued deliveries wait; they are sent once the endpoint is enabled again (`PUT webhooks/endpoints/{id}` with `enabled: true`).',
    data: data(['endpoint_id', 'tenant_id', 'url', 'reason', 'consecutive_failures', 'failing_since'], {
      endpoint_id: uuid(),
      tenant_id: nullable(uuid('Owning tenant; null for a platform endpoint.')),
      url: str('The endpoint URL.'),
      reason: str('Why: `the endpoint answered 410 Gone`, `<n> failed attempts in a row` or `failing continuously since <time>`.'),
      consecutive_failures: int('Failed attempts in a row when it was disabled.', { minimum: 0 }),
      failing_since: nullable(dt('First failure of the unbroken run of failures.')),
    }),
  },
  'integration.event_received': {
    summary: 'A webhook of an integration provider arrived, passed its signature, timestamp and IP checks, and was stored (once per provider event id).',
    description:
      'Envelope `tenant_id` is null; `actor` is `system`. Published after the provider got its answer. A retry (`POST integrations/events/{id}/retry`) publishes it again with a new envelope id: deduplicate on `integration_event_id`.',
    data: data(['integration_event_id', 'provider_id', 'provider', 'event_id', 'type', 'payload'], {
      integration_event_id: uuid('Our id of the stored event (`GET integrations/events`).'),
      provider_id: uuid(),
      provider: str('Provider name (the `{provider}` of `POST integrations/webhooks/{provider}`).'),
      event_id: str('The provider\'s own event id (`webhook-id`, or the body `id`).'),
      type: str('The provider\'s event type (body `type`), e.g. `payment.succeeded`; `unknown` when absent.'),
      payload: freeObject('The body the provider sent, as JSON.'),
    }),
  },
  'integration.provider_health_changed': {
    summary: 'A provider\'s API (`api_base_url`, checked on a schedule) changed health: `healthy`, `degraded` (slow) or `down`.',
    description: 'Envelope `tenant_id` is null; `actor` is `system`. The first check moves a provider from `unknown`.',
    data: data(['provider_id', 'provider', 'from', 'to', 'response_time_ms'], {
      provider_id: uuid(),
      provider: str('Provider name.'),
      from: str('`unknown`, `healthy`, `degraded` or `down`.'),
      to: str('`healthy`, `degraded` or `down`.'),
      response_time_ms: nullable(int('Response time of the check; null when no answer came.', { minimum: 0 })),
    }),
  },
};

// ------------------------------------------------------------------ shared components

const camel = (t) => t.replace(/[._-](\w)/g, (_m, c) => c.toUpperCase());
const pascal = (t) => camel(t).replace(/^\w/, (c) => c.toUpperCase());

const channels = {};
const operations = {};
const messages = {};
const schemas = {};

schemas.EventEnvelope = {
  type: 'object',
  description:
    'The one envelope of every event (libs/contracts/src/envelope.ts). Fields are snake_case; ids are UUIDs; times are ISO 8601 UTC. ' +
    'Secrets (passwords, API keys, tokens, key material) never appear in `data`: only ids, public prefixes and `"[REDACTED]"` markers. ' +
    'New envelope fields, if ever added, are additive: ignore unknown ones.',
  additionalProperties: true,
  required: ['id', 'type', 'version', 'occurred_at', 'tenant_id', 'actor', 'correlation_id', 'causation_id', 'data'],
  properties: {
    id: uuid('Unique event id. Equal to the `Nats-Msg-Id` header. Deduplicate on it.'),
    type: str('Event type `<aggregate>.<verb>`; the subject is `events.<type>`.', { pattern: '^[a-z][a-z0-9_-]*(\\.[a-z][a-z0-9_-]*)+$' }),
    version: int('Version of the `data` schema of this type (1 for every type today). Bumped only on a breaking change; during a migration both versions are published.', { minimum: 1 }),
    occurred_at: dt('When the fact happened (UTC, `Z`), not when it was published.'),
    tenant_id: nullable(
      uuid('Tenant the event concerns: set on `tenant.*` and `provisioning.*`, on `api_key.*` for a key bound to a tenant; null on user-level and platform-level events (`user.*`, `signing_key.*`, `security.*`, unbound keys).'),
    ),
    actor: ref('Actor'),
    correlation_id: nullable(
      str('Id of the originating request (`X-Request-Id`), or inherited from the event being handled (a fresh UUID when that had none); null for work not started by a request or event (scheduled jobs, the provisioning worker).'),
    ),
    causation_id: nullable(str('Id of the event that directly caused this one, when it was emitted while handling an event; otherwise null.')),
    data: { type: 'object', description: 'Type-specific payload, see each message.' },
  },
};
schemas.Actor = {
  type: 'object',
  description: 'Who caused the event. Events emitted while handling another event carry that event\'s actor; when no actor is known it is `{ "type": "system", "id": null }`.',
  additionalProperties: true,
  required: ['type', 'id'],
  properties: {
    type: { type: 'string', enum: ['user', 'api_key', 'service', 'system'] },
    id: nullable(str('User id, API key id or service name; null for `system`.')),
    ip: nullable(str('Client IP address, when known (requests through the gateway, security events).')),
    user_agent: nullable(str()),
  },
};
schemas.EventHeaders = {
  type: 'object',
  additionalProperties: true,
  required: ['Nats-Msg-Id'],
  properties: {
    'Nats-Msg-Id': uuid("Set by the outbox relay, equal to the envelope `id`. JetStream drops a re-publish with the same id within the stream's duplicate window (2 minutes), which makes the relay's retries safe."),
    traceparent: str('W3C Trace Context of the operation that published the event; present when it ran in a trace.', { pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$' }),
    tracestate: str('W3C Trace Context vendor state, when there is any.'),
    'x-correlation-id': str('Same value as the envelope `correlation_id`; absent when that is null.'),
  },
};
schemas.TenantStatus = str(
  'Tenant lifecycle state: `pending`, `provisioning`, `active`, `suspended`, `stopped`, `restoring` (a restore of its data runs), `error`, `deleting`, `deleted`. New states may be added: treat unknown values gracefully.',
);
schemas.TenantPlan = str('Plan (tier) code: `free`, `standard`, `premium` or `enterprise`; new values may be added.');
schemas.DatabaseStrategy = str('`dedicated` (own database) or `shared` (own schema in a shared database).');
schemas.Currency = str('ISO 4217 currency code.', { pattern: '^[A-Z]{3}$', examples: ['USD', 'EUR'] });

const SERVICE_TAGS = { user: 'identity', api_key: 'identity', signing_key: 'identity', security: 'identity', tenant: 'tenants', provisioning: 'provisioning', subscription: 'billing', invoice: 'billing', payment: 'billing', webhook_endpoint: 'webhooks', integration: 'webhooks', backup: 'backups', restore: 'backups' };


const catalogueProblems = [];

/** `documented` (the text's schema of `type`'s data) checked against and completed from the event catalogue. */
function fromCatalogue(type, documented) {
  const cls = eventPayloadClass(type);
  if (!cls) throw new Error(`${type} is not in the event catalogue (libs/contracts/src/event-catalogue.ts)`);
  const contract = jsonSchemaOf(cls);
  const problems = [];
  for (const [field, schema] of Object.entries(contract.properties)) {
    const text = documented.properties?.[field];
    // A class shared by several types (BackupEventData…) has optional fields some of them never carry.
    if (!text) {
      if (contract.required.includes(field)) problems.push(`${field} (required by ${cls.name}) is not described`);
      continue;
    }
    const textTypes = [text.type ?? []].flat().filter((t) => t !== 'null');
    const agrees = (t) => t === schema.type || (t === 'integer' && schema.type === 'number');
    if (schema.type && textTypes.length > 0 && !textTypes.some(agrees)) problems.push(`${field} is documented as ${textTypes.join('|')}, ${cls.name} says ${schema.type}`);
  }
  for (const field of documented.required ?? []) {
    if (!(field in contract.properties)) problems.push(`${field} is documented as required but ${cls.name} does not check it`);
  }
  for (const p of problems) catalogueProblems.push(`${type}: ${p}`);
  return { ...documented, required: [...new Set([...(documented.required ?? []), ...contract.required])] };
}

for (const [type, event] of Object.entries(events)) {
  const key = camel(type);
  const dataName = `${pascal(type)}Data`;
  const service = event.reserved ?? SERVICE_TAGS[type.split('.')[0]];
  if (!service) throw new Error(`no publishing service known for ${type}`);
  const description = event.reserved
    ? `Not emitted yet: reserved for the ${event.reserved} service. The schema below is the plan, not running code; do not wait for this event.`
    : event.description;
  schemas[dataName] = { ...fromCatalogue(type, event.data), description: `\`data\` of \`${type}\` version 1. Unknown fields may appear and must be ignored.` };
  messages[key] = {
    name: type,
    title: type,
    summary: event.summary,
    ...(description ? { description } : {}),
    contentType: 'application/json',
    tags: [{ name: service }, ...(event.reserved ? [{ name: 'reserved' }] : [])],
    headers: ref('EventHeaders'),
    correlationId: { $ref: '#/components/correlationIds/correlationId' },
    payload: {
      allOf: [
        ref('EventEnvelope'),
        {
          type: 'object',
          properties: {
            type: { const: type },
            version: { const: 1 },
            data: ref(dataName),
          },
        },
      ],
    },
  };
  channels[key] = {
    address: `events.${type}`,
    title: type,
    summary: event.reserved ? `Reserved (not emitted yet): ${event.summary}` : event.summary,
    messages: { [key]: { $ref: `#/components/messages/${key}` } },
  };
  operations[`publish${pascal(type)}`] = {
    action: 'send',
    title: `Publish ${type}`,
    summary: event.reserved
      ? `Reserved for the ${event.reserved} service, which does not publish \`${type}\` yet.`
      : `The ${service} service publishes \`${type}\` to JetStream stream EVENTS.`,
    channel: { $ref: `#/channels/${key}` },
    messages: [{ $ref: `#/channels/${key}/messages/${key}` }],
  };
}

if (catalogueProblems.length > 0) throw new Error(`the document disagrees with the event catalogue:\n  ${catalogueProblems.join('\n  ')}`);

const reservedList = Object.entries(events)
  .filter(([, e]) => e.reserved)
  .map(([type, e]) => `\`${type}\` (${e.reserved})`)
  .join(', ');

const description = `
The public event contract of the SaaS control plane. Every state change that other services or
external systems may care about is published as an event on NATS JetStream; external systems
may subscribe to \`events.>\`. (Delivery as Standard Webhooks through the webhooks service is
planned; that service does not deliver events yet.)

## Publishers

- **identity**: \`user.*\`, \`api_key.*\`, \`signing_key.rotated\`, \`security.*\`.
- **tenants**: \`tenant.*\` (lifecycle, operations, members).
- **provisioning**: \`provisioning.*\` (progress and outcome of tenant operations).
- **Reserved, not emitted yet** (tagged \`reserved\`): ${reservedList}. Their schemas are
  the plan for those services; nothing publishes them today.

## Subjects and stream

- Subject: \`events.<type>\`, where \`<type>\` is \`<aggregate>.<verb>\` (e.g. \`events.tenant.created\`).
- Stream: \`EVENTS\`, capturing \`events.>\`, file storage, messages kept 7 days: a subscriber
  that is down longer than that misses events and must resynchronise through the REST API.
- A deployment's \`SUBJECT_PREFIX\` (a single token followed by a dot, e.g. \`staging.\`; **empty in
  production**) is prepended to every subject (\`staging.events.tenant.created\`) and to the stream
  name (\`staging_EVENTS\`: stream names cannot contain dots, so the dot is written as \`_\`).

## Delivery semantics

- **At least once.** Events are written to a transactional outbox in the same database
  transaction as the state change and relayed to JetStream, so an event is never lost but may be
  delivered more than once (relay retries, consumer redeliveries after a missing ack).
- **Deduplicate on \`id\`.** The relay sets \`Nats-Msg-Id\` = \`id\`; JetStream only deduplicates
  within a 2-minute window, so every subscriber must keep the ids it handled (an inbox) and
  ignore repeats.
- **Ordering** is guaranteed per subject within the stream, not across subjects: e.g.
  \`provisioning.step\` and \`tenant.updated\` may interleave. Use \`occurred_at\` and the
  resource's current state (via the REST API) rather than arrival order across types.
- Use **durable consumers** with explicit acks; ack only after the event is handled.

## Envelope

Every message has the same envelope: \`{ id, type, version, occurred_at, tenant_id, actor,
correlation_id, causation_id, data }\`. Headers carry \`Nats-Msg-Id\`, and when available W3C
\`traceparent\` / \`tracestate\` and \`x-correlation-id\`. **Secrets never appear in \`data\`**:
passwords, API keys, refresh/reset tokens and signing keys are never sent (only ids, public
prefixes such as \`sk_xxxxxxxx\`, and \`"[REDACTED]"\` markers).

## Versioning and compatibility

- Subjects are a public contract: they are never renamed or removed without a deprecation here first.
- \`data\` may gain fields at any time (additive changes are non-breaking): **subscribers must
  ignore unknown fields** and unknown enum-like string values.
- A breaking change to \`data\` bumps the envelope \`version\` of that type; during a migration
  both versions are published on the same subject, and subscribers select on \`version\`.
- This document is generated by \`tools/asyncapi/generate.mjs\`; \`required\` lists the fields
  always present, other fields are sent only in the situations their descriptions say.
`.trimStart();

const doc = {
  asyncapi: '3.0.0',
  id: 'urn:saas-control-plane:events',
  info: {
    title: 'SaaS Control Plane — public events',
    version: '1.1.0',
    description,
    license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
    tags: [
      { name: 'events' },
      { name: 'identity', description: 'Published by the identity service.' },
      { name: 'tenants', description: 'Published by the tenants service.' },
      { name: 'provisioning', description: 'Published by the provisioning service.' },
      { name: 'backups', description: 'Published by the backups service.' },
      { name: 'billing', description: 'Reserved for the billing service.' },
      { name: 'reserved', description: 'Not emitted yet: promised by the contract, reserved for a service that does not publish it today.' },
    ],
  },
  defaultContentType: 'application/json',
  servers: {
    production: {
      host: 'nats.example.com:4222',
      protocol: 'nats',
      description: 'NATS cluster with JetStream; the stream EVENTS holds `events.>`. Credentials are issued per subscriber.',
    },
    local: {
      host: 'localhost:4222',
      protocol: 'nats',
      description: 'docker-compose.yml (the nats service; publish port 4222 to reach it from the host).',
    },
  },
  channels,
  operations,
  components: {
    schemas,
    messages,
    correlationIds: {
      correlationId: {
        description: 'Id of the originating request, inherited by the events it causes (see `correlation_id`).',
        location: '$message.payload#/correlation_id',
      },
    },
  },
};

const out = new YAML.Document(doc, { aliasDuplicateObjects: false });
out.commentBefore = [
  ' GENERATED by tools/asyncapi/generate.mjs: do not edit by hand; change the generator and run it.',
  ' AsyncAPI 3.0 description of the public event contract (subjects `events.<type>` on NATS JetStream).',
  ' Source of truth for the subjects: EventTypes (libs/contracts/src/subjects.ts) and IdentityEventTypes',
  ' (libs/contracts/src/identity.ts); libs/contracts/src/events-contract.spec.ts keeps this document in',
  ' step with them. Never rename or remove a type without a deprecation first.',
].join('\n');
fs.writeFileSync(OUTPUT, out.toString({ lineWidth: 0 }));
console.log(`wrote ${OUTPUT} (${Object.keys(channels).length} channels)`);
