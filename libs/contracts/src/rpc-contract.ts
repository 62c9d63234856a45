/**
 * The RPC contract: every subject the platform answers, with what its caller sends and what the
 * service answers, in one map (issue 8). `RpcClient.call(subject, request)` is typed from it, and
 * `@RpcHandler(subject)` holds each service's handler to the same entry, so a caller and the service
 * it calls cannot disagree on a field without the build failing.
 *
 * Adding an RPC: a constant in the service's `<Service>Rpc`, its request class (validated on
 * arrival) and answer type beside it, one line here, and the handler with `@RpcHandler`.
 */
import type {
  AcceptedResponse,
  ActiveBlocks,
  AdminListBackupsRequest,
  AdminTenantActionRequest,
  AdvanceTestClockRequest,
  ApiKeyPrincipal,
  ApiKeyView,
  AuditLogView,
  BackupAccepted,
  BackupRefRequest,
  BackupScheduleRefRequest,
  BackupScheduleView,
  BackupView,
  BackupsRpc,
  BillingRpc,
  BootstrapAdminRequest,
  BootstrapAdminResult,
  CancelSubscriptionRequest,
  CheckSessionRequest,
  CreateApiKeyRequest,
  CreateBackupRequest,
  CreatePaymentMethodRequest,
  CreateProviderRequest,
  CreateSubscriptionRequest,
  CreateTenantRequest,
  CreateUserRequest,
  CreateWebhookEndpointRequest,
  CreatedApiKeyView,
  CreatedWebhookEndpointView,
  DrillAccepted,
  DrillBackupRequest,
  DrillRefRequest,
  DrillView,
  ForgotPasswordRequest,
  IdentityRpc,
  InstanceActionRequest,
  LogEntryView,
  InstanceLogsRequest,
  InstanceMetricsRequest,
  InstanceMetricsView,
  InstancePowerRequest,
  InstancePowerResult,
  InstanceRefRequest,
  InstanceRouteRequest,
  InstanceRouteView,
  InstanceView,
  InstancesStats,
  InstancesStatsRequest,
  IntegrationEventRefRequest,
  IntegrationEventView,
  IntegrationReceiveResult,
  IntegrationsHealthRequest,
  IntegrationsHealthView,
  IntegrationsRpc,
  InvoicePdf,
  InvoiceRefRequest,
  InvoiceView,
  JwksRequest,
  JwksResponse,
  ListApiKeysRequest,
  ListAuditLogsRequest,
  ListBackupsRequest,
  ListIntegrationEventsRequest,
  ListInvoicesRequest,
  ListPaymentMethodsRequest,
  ListProvidersRequest,
  ListQueryDto,
  ListResult,
  DeadLetterListRequest,
  DeadLetterReplayResult,
  DeadLetterView,
  ListSecurityScansRequest,
  ListSubscriptionsRequest,
  ListTenantMembersRequest,
  ListTenantsRequest,
  ListThreatsRequest,
  ListUsersRequest,
  ListWebhookDeliveriesRequest,
  ListWebhookEndpointsRequest,
  LoginRequest,
  LogoutRequest,
  LogoutRpcResponse,
  MeRequest,
  PaymentMethodRefRequest,
  PaymentMethodView,
  PlanView,
  PlansListRequest,
  PreviewSubscriptionChangeRequest,
  ProviderRefRequest,
  ProviderView,
  ProvisioningRpc,
  ServiceHealth,
  PutBackupScheduleRequest,
  ReceiveIntegrationWebhookRequest,
  RecoverWebhookEndpointRequest,
  RefreshRequest,
  RegisterRequest,
  ResendVerificationRequest,
  ResetPasswordRequest,
  ResetPasswordResponse,
  RestoreAccepted,
  RestoreBackupRequest,
  RestoreRefRequest,
  RestoreView,
  RevenueRequest,
  RevenueView,
  RevokeApiKeyRequest,
  RotateKeysRequest,
  RotateKeysResponse,
  RotatedWebhookSecretView,
  SeatRequest,
  SeatView,
  SecurityBlockView,
  SecurityMetricsRequest,
  SecurityMetricsResponse,
  SecurityReportRequest,
  SecurityScanRefRequest,
  SecurityScanView,
  SessionCheckView,
  StartSecurityScanRequest,
  SubscriptionChangePreview,
  SubscriptionRefRequest,
  SubscriptionView,
  TenantAccessRequest,
  TenantAccess,
  TenantActionAccepted,
  TenantCredentials,
  TenantCredentialsRequest,
  TenantDataLocation,
  TenantInstanceRequest,
  TenantMemberRemoved,
  TenantMemberRequest,
  TenantMemberView,
  TenantPlansRequest,
  TenantPlansView,
  TenantRefRequest,
  TenantStatusView,
  TenantView,
  TenantsAdminStats,
  TenantsAdminStatsRequest,
  TenantsRpc,
  ThreatActionRequest,
  ThreatsResponse,
  TokenResponse,
  UpdateMeRequest,
  UpdateProviderRequest,
  UpdateSubscriptionRequest,
  UpdateTenantRequest,
  UpdateUserRequest,
  UpdateWebhookEndpointRequest,
  UserListRequest,
  UserProfile,
  UserProfilesRequest,
  UserRefRequest,
  UserSubscriptionView,
  UserTenantView,
  UserView,
  UsersStats,
  UsersStatsRequest,
  VerifyApiKeyRequest,
  VerifyEmailRequest,
  VerifyEmailResponse,
  VolumeArchiveRequest,
  VolumeArchiveResult,
  VolumeRestoreRequest,
  VolumeRestoreResult,
  WebhookDeliveryRefRequest,
  WebhookDeliveryView,
  WebhookEndpointRefRequest,
  WebhookEndpointView,
  WebhookEventTypeView,
  WebhookRecoverResult,
  WebhooksRpc,
  SecurityFindingsResponse,
  ServiceName,
} from './index.js';

/** One RPC of the contract: what the caller sends, and what it gets back. */
export interface Rpc<Request, Response> {
  request: Request;
  response: Response;
}

/** The request of an RPC that takes no fields. */
export type EmptyRequest = Record<string, never>;

/** The RPCs of one service's own features. */
export interface FeatureRpcContract {
  // IdentityRpc
  [IdentityRpc.bootstrapAdmin]: Rpc<BootstrapAdminRequest, BootstrapAdminResult>;
  [IdentityRpc.apiKeysCreate]: Rpc<CreateApiKeyRequest, CreatedApiKeyView>;
  [IdentityRpc.apiKeysList]: Rpc<ListApiKeysRequest, ListResult<ApiKeyView>>;
  [IdentityRpc.apiKeysRevoke]: Rpc<RevokeApiKeyRequest, ApiKeyView>;
  [IdentityRpc.apiKeysVerify]: Rpc<VerifyApiKeyRequest, ApiKeyPrincipal>;
  [IdentityRpc.auditLogsList]: Rpc<ListAuditLogsRequest, ListResult<AuditLogView>>;
  [IdentityRpc.jwks]: Rpc<JwksRequest, JwksResponse>;
  [IdentityRpc.rotateKeys]: Rpc<RotateKeysRequest, RotateKeysResponse>;
  [IdentityRpc.securityMetrics]: Rpc<SecurityMetricsRequest, SecurityMetricsResponse>;
  [IdentityRpc.securityThreats]: Rpc<ListThreatsRequest, ThreatsResponse>;
  [IdentityRpc.securityThreatAction]: Rpc<ThreatActionRequest, SecurityBlockView>;
  [IdentityRpc.securityBlocksActive]: Rpc<EmptyRequest, ActiveBlocks>;
  [IdentityRpc.securityScanStart]: Rpc<StartSecurityScanRequest, SecurityScanView>;
  [IdentityRpc.securityScanGet]: Rpc<SecurityScanRefRequest, SecurityScanView>;
  [IdentityRpc.securityScansList]: Rpc<ListSecurityScansRequest, ListResult<SecurityScanView>>;
  [IdentityRpc.securityReport]: Rpc<SecurityReportRequest, { recorded: number }>;
  [IdentityRpc.sessionsCheck]: Rpc<CheckSessionRequest, SessionCheckView>;
  [IdentityRpc.register]: Rpc<RegisterRequest, AcceptedResponse>;
  [IdentityRpc.verifyEmail]: Rpc<VerifyEmailRequest, VerifyEmailResponse>;
  [IdentityRpc.resendVerification]: Rpc<ResendVerificationRequest, AcceptedResponse>;
  [IdentityRpc.login]: Rpc<LoginRequest, TokenResponse>;
  [IdentityRpc.refresh]: Rpc<RefreshRequest, TokenResponse>;
  [IdentityRpc.logout]: Rpc<LogoutRequest, LogoutRpcResponse>;
  [IdentityRpc.me]: Rpc<MeRequest, UserView>;
  [IdentityRpc.updateMe]: Rpc<UpdateMeRequest, UserView>;
  [IdentityRpc.forgotPassword]: Rpc<ForgotPasswordRequest, AcceptedResponse>;
  [IdentityRpc.resetPassword]: Rpc<ResetPasswordRequest, ResetPasswordResponse>;
  [IdentityRpc.usersStats]: Rpc<UsersStatsRequest, UsersStats>;
  [IdentityRpc.usersList]: Rpc<ListUsersRequest, ListResult<UserView>>;
  [IdentityRpc.usersCreate]: Rpc<CreateUserRequest, UserView>;
  [IdentityRpc.usersProfiles]: Rpc<UserProfilesRequest, { results: UserProfile[] }>;
  [IdentityRpc.usersGet]: Rpc<UserRefRequest, UserView>;
  [IdentityRpc.usersUpdate]: Rpc<UpdateUserRequest, UserView>;
  [IdentityRpc.usersDelete]: Rpc<UserRefRequest, { deleted: true; id: string }>;
  [IdentityRpc.usersTenants]: Rpc<UserListRequest, ListResult<UserTenantView>>;
  [IdentityRpc.usersOwnedTenants]: Rpc<UserListRequest, ListResult<UserTenantView>>;
  [IdentityRpc.usersSubscriptions]: Rpc<UserListRequest, ListResult<UserSubscriptionView>>;
  // TenantsRpc
  [TenantsRpc.adminList]: Rpc<ListTenantsRequest, ListResult<TenantView>>;
  [TenantsRpc.adminAction]: Rpc<AdminTenantActionRequest, TenantActionAccepted>;
  [TenantsRpc.adminStats]: Rpc<TenantsAdminStatsRequest, TenantsAdminStats>;
  [TenantsRpc.membersList]: Rpc<ListTenantMembersRequest, ListResult<TenantMemberView>>;
  [TenantsRpc.membersAdd]: Rpc<TenantMemberRequest, TenantMemberView>;
  [TenantsRpc.membersRemove]: Rpc<TenantMemberRequest, TenantMemberRemoved>;
  [TenantsRpc.create]: Rpc<CreateTenantRequest, TenantView>;
  [TenantsRpc.list]: Rpc<ListTenantsRequest, ListResult<TenantView>>;
  [TenantsRpc.get]: Rpc<TenantRefRequest, TenantView>;
  [TenantsRpc.update]: Rpc<UpdateTenantRequest, TenantView>;
  [TenantsRpc.delete]: Rpc<TenantRefRequest, TenantView>;
  [TenantsRpc.status]: Rpc<TenantRefRequest, TenantStatusView>;
  [TenantsRpc.plans]: Rpc<TenantPlansRequest, TenantPlansView>;
  [TenantsRpc.access]: Rpc<TenantAccessRequest, TenantAccess>;
  [TenantsRpc.instanceAction]: Rpc<InstanceActionRequest, TenantActionAccepted>;
  [TenantsRpc.internalCredentials]: Rpc<TenantCredentialsRequest, TenantCredentials>;
  // ProvisioningRpc
  [ProvisioningRpc.instancesStats]: Rpc<InstancesStatsRequest, InstancesStats>;
  [ProvisioningRpc.instanceGet]: Rpc<TenantInstanceRequest, InstanceView>;
  [ProvisioningRpc.instanceMetrics]: Rpc<InstanceMetricsRequest, InstanceMetricsView>;
  [ProvisioningRpc.instanceLogs]: Rpc<InstanceLogsRequest, ListResult<LogEntryView>>;
  [ProvisioningRpc.instanceRoute]: Rpc<InstanceRouteRequest, InstanceRouteView>;
  [ProvisioningRpc.internalTenantData]: Rpc<InstanceRefRequest, TenantDataLocation>;
  [ProvisioningRpc.internalVolumeArchive]: Rpc<VolumeArchiveRequest, VolumeArchiveResult>;
  [ProvisioningRpc.internalVolumeRestore]: Rpc<VolumeRestoreRequest, VolumeRestoreResult>;
  [ProvisioningRpc.internalInstancePower]: Rpc<InstancePowerRequest, InstancePowerResult>;
  // BackupsRpc
  [BackupsRpc.create]: Rpc<CreateBackupRequest, BackupAccepted>;
  [BackupsRpc.list]: Rpc<ListBackupsRequest, ListResult<BackupView>>;
  [BackupsRpc.adminList]: Rpc<AdminListBackupsRequest, ListResult<BackupView>>;
  [BackupsRpc.get]: Rpc<BackupRefRequest, BackupView>;
  [BackupsRpc.delete]: Rpc<BackupRefRequest, BackupView>;
  [BackupsRpc.restore]: Rpc<RestoreBackupRequest, RestoreAccepted>;
  [BackupsRpc.restoreGet]: Rpc<RestoreRefRequest, RestoreView>;
  [BackupsRpc.drill]: Rpc<DrillBackupRequest, DrillAccepted>;
  [BackupsRpc.drillGet]: Rpc<DrillRefRequest, DrillView>;
  [BackupsRpc.scheduleGet]: Rpc<BackupScheduleRefRequest, BackupScheduleView>;
  [BackupsRpc.schedulePut]: Rpc<PutBackupScheduleRequest, BackupScheduleView>;
  // BillingRpc
  [BillingRpc.invoicesList]: Rpc<ListInvoicesRequest, ListResult<InvoiceView>>;
  [BillingRpc.invoicesGet]: Rpc<InvoiceRefRequest, InvoiceView>;
  [BillingRpc.invoicesPdf]: Rpc<InvoiceRefRequest, InvoicePdf>;
  [BillingRpc.paymentMethodsList]: Rpc<ListPaymentMethodsRequest, ListResult<PaymentMethodView>>;
  [BillingRpc.paymentMethodsCreate]: Rpc<CreatePaymentMethodRequest, PaymentMethodView>;
  [BillingRpc.paymentMethodsDelete]: Rpc<PaymentMethodRefRequest, PaymentMethodView>;
  [BillingRpc.plansList]: Rpc<PlansListRequest, ListResult<PlanView>>;
  [BillingRpc.revenue]: Rpc<RevenueRequest, RevenueView>;
  [BillingRpc.subscriptionsList]: Rpc<ListSubscriptionsRequest, ListResult<SubscriptionView>>;
  [BillingRpc.subscriptionsCreate]: Rpc<CreateSubscriptionRequest, SubscriptionView>;
  [BillingRpc.subscriptionsGet]: Rpc<SubscriptionRefRequest, SubscriptionView>;
  [BillingRpc.subscriptionsUpdate]: Rpc<UpdateSubscriptionRequest, SubscriptionView>;
  [BillingRpc.subscriptionsPreview]: Rpc<PreviewSubscriptionChangeRequest, SubscriptionChangePreview>;
  [BillingRpc.subscriptionsCancel]: Rpc<CancelSubscriptionRequest, SubscriptionView>;
  [BillingRpc.seatsList]: Rpc<SubscriptionRefRequest, ListResult<SeatView>>;
  [BillingRpc.seatsAdd]: Rpc<SeatRequest, SubscriptionView>;
  [BillingRpc.seatsRemove]: Rpc<SeatRequest, SubscriptionView>;
  [BillingRpc.testClockAdvance]: Rpc<AdvanceTestClockRequest, SubscriptionView>;
  // WebhooksRpc
  [WebhooksRpc.deliveriesList]: Rpc<ListWebhookDeliveriesRequest, ListResult<WebhookDeliveryView>>;
  [WebhooksRpc.deliveriesRetry]: Rpc<WebhookDeliveryRefRequest, WebhookDeliveryView>;
  [WebhooksRpc.endpointsCreate]: Rpc<CreateWebhookEndpointRequest, CreatedWebhookEndpointView>;
  [WebhooksRpc.endpointsList]: Rpc<ListWebhookEndpointsRequest, ListResult<WebhookEndpointView>>;
  [WebhooksRpc.endpointsGet]: Rpc<WebhookEndpointRefRequest, WebhookEndpointView>;
  [WebhooksRpc.endpointsUpdate]: Rpc<UpdateWebhookEndpointRequest, WebhookEndpointView>;
  [WebhooksRpc.endpointsDelete]: Rpc<WebhookEndpointRefRequest, WebhookEndpointView>;
  [WebhooksRpc.endpointsRotateSecret]: Rpc<WebhookEndpointRefRequest, RotatedWebhookSecretView>;
  [WebhooksRpc.endpointsTest]: Rpc<WebhookEndpointRefRequest, WebhookDeliveryView>;
  [WebhooksRpc.endpointsRecover]: Rpc<RecoverWebhookEndpointRequest, WebhookRecoverResult>;
  [WebhooksRpc.eventTypes]: Rpc<EmptyRequest, ListResult<WebhookEventTypeView>>;
  // IntegrationsRpc
  [IntegrationsRpc.providersCreate]: Rpc<CreateProviderRequest, ProviderView>;
  [IntegrationsRpc.providersList]: Rpc<ListProvidersRequest, ListResult<ProviderView>>;
  [IntegrationsRpc.providersGet]: Rpc<ProviderRefRequest, ProviderView>;
  [IntegrationsRpc.providersUpdate]: Rpc<UpdateProviderRequest, ProviderView>;
  [IntegrationsRpc.providersDelete]: Rpc<ProviderRefRequest, ProviderView>;
  [IntegrationsRpc.receive]: Rpc<ReceiveIntegrationWebhookRequest, IntegrationReceiveResult>;
  [IntegrationsRpc.eventsList]: Rpc<ListIntegrationEventsRequest, ListResult<IntegrationEventView>>;
  [IntegrationsRpc.eventsRetry]: Rpc<IntegrationEventRefRequest, IntegrationEventView>;
  [IntegrationsRpc.health]: Rpc<IntegrationsHealthRequest, IntegrationsHealthView>;
}

/** Answered by the service kit for every service (health, dead letters). */
type KitRpcContract = {
  [S in ServiceName as `rpc.${S}.health`]: Rpc<EmptyRequest, ServiceHealth>;
} & {
  [S in ServiceName as `rpc.${S}.dead-letters.list`]: Rpc<DeadLetterListRequest, ListResult<DeadLetterView>>;
} & {
  [S in ServiceName as `rpc.${S}.dead-letters.replay`]: Rpc<{ id: string }, DeadLetterReplayResult>;
} & {
  /** Asked of every service; those with nothing of their own to check do not answer (the scan says so). */
  [S in ServiceName as `rpc.${S}.security.findings`]: Rpc<EmptyRequest, SecurityFindingsResponse>;
};

export type RpcContract = FeatureRpcContract & KitRpcContract;
export type RpcSubject = keyof RpcContract & string;
/** What a caller sends: a list's `page` and `page_size` may be left out (the service applies their defaults on arrival). */
export type RpcRequest<S extends RpcSubject> = WithListDefaults<RpcContract[S]['request']>;
type WithListDefaults<T> = T extends ListQueryDto ? Omit<T, 'page' | 'page_size'> & Partial<Pick<T, 'page' | 'page_size'>> : T;
export type RpcResponse<S extends RpcSubject> = RpcContract[S]['response'];
