import { OmitType } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import {
  AdminTenantActionRequest,
  CreateTenantRequest,
  InstanceActionRequest,
  InstanceLogsRequest,
  InstanceMetricsRequest,
  ListTenantMembersRequest,
  ListTenantsRequest,
  TenantMemberRequest,
  UpdateTenantRequest,
} from '@saas/contracts';

/** The request classes of the tenants contract minus what the gateway fills in (caller, id). */
export class CreateTenantBody extends OmitType(CreateTenantRequest, ['caller'] as const) {}
export class UpdateTenantBody extends OmitType(UpdateTenantRequest, ['caller', 'id'] as const) {}
export class ListTenantsQuery extends OmitType(ListTenantsRequest, ['caller'] as const) {}
export class MetricsQuery extends OmitType(InstanceMetricsRequest, ['tenant_id', 'caller'] as const) {}
export class LogsQuery extends OmitType(InstanceLogsRequest, ['tenant_id', 'caller'] as const) {}

export class TenantParams {
  @IsUUID()
  id!: string;
}

export class TenantMemberParams extends TenantParams {
  @IsUUID()
  user_id!: string;
}

/** Members have no name here to search (identity has them); `search` is refused, not ignored. */
export class ListMembersQuery extends OmitType(ListTenantMembersRequest, ['caller', 'id', 'search'] as const) {}
export class AddMemberBody extends OmitType(TenantMemberRequest, ['caller', 'id'] as const) {}
export class InstanceActionBody extends OmitType(InstanceActionRequest, ['caller', 'id'] as const) {}
export class AdminActionBody extends OmitType(AdminTenantActionRequest, ['caller', 'id'] as const) {}
