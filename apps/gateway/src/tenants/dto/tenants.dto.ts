import { OmitType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import {
  AdminTenantActions,
  CreateTenantRequest,
  InstanceActions,
  InstanceLogsRequest,
  InstanceMetricsRequest,
  ListTenantsRequest,
  UpdateTenantRequest,
  type AdminTenantAction,
  type InstanceAction,
} from '@saas/contracts';

/** The request classes of the tenants contract minus what the gateway fills in (caller, id). */
export class CreateTenantBody extends OmitType(CreateTenantRequest, ['caller'] as const) {}
export class UpdateTenantBody extends OmitType(UpdateTenantRequest, ['caller', 'id'] as const) {}
export class ListTenantsQuery extends OmitType(ListTenantsRequest, ['caller'] as const) {}
export class MetricsQuery extends OmitType(InstanceMetricsRequest, ['tenant_id'] as const) {}
export class LogsQuery extends OmitType(InstanceLogsRequest, ['tenant_id'] as const) {}

export class TenantParams {
  @IsUUID()
  id!: string;
}

export class TenantMemberParams extends TenantParams {
  @IsUUID()
  user_id!: string;
}

export class AddMemberBody {
  @IsUUID()
  user_id!: string;

  @IsOptional()
  @IsIn(['admin', 'member'])
  role?: 'admin' | 'member';
}

export class InstanceActionBody {
  @IsIn(InstanceActions)
  action!: InstanceAction;
}

export class AdminActionBody {
  @IsIn(AdminTenantActions)
  action!: AdminTenantAction;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}
