/**
 * NATS subjects of the platform.
 *
 * ⚠️  PUBLIC CONTRACT: external systems subscribe to `events.>`. Renaming or removing a subject here
 * breaks subscribers. Add new subjects; deprecate old ones in docs/events.asyncapi.yaml first.
 *
 * Every subject is used through `subject()` in @saas/messaging, which adds the deployment's
 * SUBJECT_PREFIX (empty in production, unique per test run) so runs never see each other's messages.
 */

/** The services of the platform; each is also its RPC queue group and its Postgres schema. */
export const ServiceNames = Object.freeze(['identity', 'tenants', 'provisioning', 'backups', 'billing', 'webhooks'] as const);
export type ServiceName = (typeof ServiceNames)[number];

/** Root of every event subject; the JetStream stream captures `events.>`. */
export const EVENTS_ROOT = 'events';

/** Event types (`<aggregate>.<verb>`); the subject is `events.<type>`. */
export const EventTypes = Object.freeze({
  UserCreated: 'user.created',
  UserUpdated: 'user.updated',
  UserDeleted: 'user.deleted',
  TenantCreated: 'tenant.created',
  TenantUpdated: 'tenant.updated',
  TenantReady: 'tenant.ready',
  TenantSuspended: 'tenant.suspended',
  TenantDeleted: 'tenant.deleted',
  /** Every transition of the lifecycle state machine: `{ tenant_id, from, to, reason }`. */
  TenantStatusChanged: 'tenant.status_changed',
  TenantStopped: 'tenant.stopped',
  TenantStarted: 'tenant.started',
  TenantResumed: 'tenant.resumed',
  /** An operation on the tenant's resources was asked for (stop, start, restart, resize, migrate, retry…). */
  TenantOperationRequested: 'tenant.operation_requested',
  TenantDeletionRequested: 'tenant.deletion_requested',
  TenantMemberAdded: 'tenant.member_added',
  TenantMemberRemoved: 'tenant.member_removed',
  ProvisioningStep: 'provisioning.step',
  ProvisioningSucceeded: 'provisioning.succeeded',
  ProvisioningFailed: 'provisioning.failed',
  // Backups (the backups service): every backup and restore, from start to its one end.
  BackupStarted: 'backup.started',
  BackupCompleted: 'backup.completed',
  BackupFailed: 'backup.failed',
  RestoreStarted: 'restore.started',
  RestoreCompleted: 'restore.completed',
  RestoreFailed: 'restore.failed',
  BackupScheduleChanged: 'backup.schedule_changed',
  BackupVerificationFailed: 'backup.verification_failed',
  SubscriptionCreated: 'subscription.created',
  SubscriptionUpdated: 'subscription.updated',
  InvoiceCreated: 'invoice.created',
  PaymentSucceeded: 'payment.succeeded',
  PaymentFailed: 'payment.failed',
  // billing
  SubscriptionCanceled: 'subscription.canceled',
  SubscriptionPastDue: 'subscription.past_due',
  InvoicePaid: 'invoice.paid',
  InvoiceVoided: 'invoice.voided',
  // webhooks service
  /** An outgoing webhook endpoint was disabled after failing continuously (or a 410). */
  WebhookEndpointDisabled: 'webhook_endpoint.disabled',
  /** A verified inbound webhook of an integration provider (its type and payload inside). */
  IntegrationEventReceived: 'integration.event_received',
  /** An integration provider's API health changed (healthy, degraded, down). */
  IntegrationProviderHealthChanged: 'integration.provider_health_changed',
} as const);
export type EventType = (typeof EventTypes)[keyof typeof EventTypes];

export function eventSubject(type: string): string {
  return `${EVENTS_ROOT}.${type}`;
}

/** RPC subjects: `rpc.<service>.<operation>`. Only services answer them; the gateway and services call. */
export const RpcSubjects = Object.freeze({
  health: <S extends ServiceName>(service: S) => `rpc.${service}.health` as const,
  /** A service's security findings on its own configuration and data (for `POST security/scan`). */
  securityFindings: <S extends ServiceName>(service: S) => `rpc.${service}.security.findings` as const,
  deadLetters: {
    list: <S extends ServiceName>(service: S) => `rpc.${service}.dead-letters.list` as const,
    replay: <S extends ServiceName>(service: S) => `rpc.${service}.dead-letters.replay` as const,
  },
});
