import { ApiExtraModels, ApiPropertyOptional } from '@nestjs/swagger';
import {
  InstanceStatuses,
  LogLevels,
  RuntimeKinds,
  type InstanceMetricsView,
  type InstanceResources,
  type InstanceStatus,
  type InstanceView,
  type KubernetesInstanceEndpoint,
  type LocalInstanceEndpoint,
  type LogEntryView,
  type LogLevel,
  type MetricPoint,
  type RuntimeKind,
} from '@saas/contracts';
import { DateTime, Int, Nested, NestedList, NullableDateTime, NullableInt, NullableNum, NullableStr, OneOf, OneOfViews, Str } from '../../http/view-properties.js';

export class InstanceResourcesDto implements InstanceResources {
  @Str('Kubernetes quantity.', { example: '250m' }) cpu_request!: string;
  @Str(undefined, { example: '1' }) cpu_limit!: string;
  @Str(undefined, { example: '512Mi' }) memory_request!: string;
  @Str(undefined, { example: '1Gi' }) memory_limit!: string;
  @Str('Persistent volume and database-size budget.', { example: '5Gi' }) storage!: string;
  @Int() max_pods!: number;
  @Int() replicas!: number;
}

export class LocalInstanceEndpointDto implements LocalInstanceEndpoint {
  @OneOf(['local']) kind!: 'local';
  @Str() host!: string;
  @NullableInt() port!: number | null;
  @NullableInt() pid!: number | null;
}

export class KubernetesInstanceEndpointDto implements KubernetesInstanceEndpoint {
  @OneOf(['kubernetes']) kind!: 'kubernetes';
  @Str() namespace!: string;
  @Str() deployment!: string;
  @Str() service!: string;
  @Str() ingress_host!: string;
}

/** `InstanceView` (libs/contracts/src/provisioning.ts) as documented. */
@ApiExtraModels(LocalInstanceEndpointDto, KubernetesInstanceEndpointDto)
export class InstanceViewDto implements InstanceView {
  @Str(undefined, { format: 'uuid' }) tenant_id!: string;
  @Str(undefined, { example: 'acme' }) slug!: string;
  @OneOf(RuntimeKinds) runtime!: RuntimeKind;
  @OneOf(InstanceStatuses) status!: InstanceStatus;
  @Str('The plan the instance is sized for.', { example: 'standard' }) plan!: string;
  @Nested(InstanceResourcesDto) resources!: InstanceResourcesDto;
  @Str(undefined, { example: 'http://acme.localhost:3000' }) access_url!: string;
  @Str('Template (local) or image (Kubernetes).') version!: string;
  @OneOfViews([LocalInstanceEndpointDto, KubernetesInstanceEndpointDto], 'Where the runtime runs it (by `kind`).') endpoint!: LocalInstanceEndpointDto | KubernetesInstanceEndpointDto;
  @NullableDateTime() started_at!: string | null;
  @Int('Restarts the runtime did on its own after crashes.') restarts!: number;
  @NullableStr('Why the instance is `failed`, when known.') error!: string | null;
}

export class MetricPointDto implements MetricPoint {
  @DateTime() timestamp!: string;
  @NullableNum() cpu_percent!: number | null;
  @NullableNum() memory_bytes!: number | null;
  @NullableNum() storage_bytes!: number | null;
  @NullableNum() network_rx_bytes!: number | null;
  @NullableNum() network_tx_bytes!: number | null;
}

class MetricLimitsDto {
  @Str() cpu_limit!: string;
  @Str() memory_limit!: string;
  @Str() storage!: string;
}

/** `InstanceMetricsView` as documented. */
export class InstanceMetricsViewDto implements InstanceMetricsView {
  @Str(undefined, { format: 'uuid' }) tenant_id!: string;
  @OneOf(RuntimeKinds) runtime!: RuntimeKind;
  @DateTime() from!: string;
  @DateTime() to!: string;
  @Int('Seconds per bucket.') step_s!: number;
  @Nested(MetricLimitsDto) limits!: MetricLimitsDto;
  @Nested(MetricPointDto, { nullable: true, description: 'The latest sample, whatever the range.' }) current!: MetricPointDto | null;
  @NestedList(MetricPointDto, 'Averages per `step_s` bucket, oldest first.') series!: MetricPointDto[];
}

/** One line of `GET tenants/{id}/logs`. */
export class LogEntryViewDto implements LogEntryView {
  @NullableDateTime() timestamp!: string | null;
  @OneOf(LogLevels) level!: LogLevel;
  @Str() message!: string;
  @Str('Pod name (Kubernetes), `app` or `runtime` (local).') source!: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'The rest of a structured line.' }) fields?: Record<string, unknown>;
}
